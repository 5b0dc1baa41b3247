// Test helpers: write uint8 [height, width, channels] tensors as PNG (libpng), JPEG (libjpeg) and
// BMP files, and folders of class subfolders of them.
#pragma once

#include <jpeglib.h>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace tkeras::testing {

/// Writes `image` (uint8 [H, W, C], C from 1 to 4) as an 8-bit PNG, Adam7-interlaced if asked.
inline void write_png(const std::filesystem::path& path, const torch::Tensor& image, bool interlaced = false) {
  const torch::Tensor pixels = image.contiguous();
  const auto height = static_cast<png_uint_32>(pixels.size(0));
  const auto width = static_cast<png_uint_32>(pixels.size(1));
  const int channels = static_cast<int>(pixels.size(2));
  const int color_types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                             PNG_COLOR_TYPE_RGB_ALPHA};
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    throw std::runtime_error("libpng could not write " + path.string());
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, 8, color_types[channels - 1],
               interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<png_bytep> rows(height);
  for (png_uint_32 y = 0; y < height; ++y)
    rows[y] = pixels.data_ptr<uint8_t>() + static_cast<size_t>(y) * width * channels;
  png_write_image(png, rows.data());  // all passes when interlaced
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

/// Writes `image` (uint8 [H, W, 1 or 3]) as a baseline JPEG of `quality`.
inline void write_jpeg(const std::filesystem::path& path, const torch::Tensor& image, int quality = 95) {
  const torch::Tensor pixels = image.contiguous();
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_compress(&info);
  jpeg_stdio_dest(&info, file);
  info.image_width = static_cast<JDIMENSION>(pixels.size(1));
  info.image_height = static_cast<JDIMENSION>(pixels.size(0));
  info.input_components = static_cast<int>(pixels.size(2));
  info.in_color_space = pixels.size(2) == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  const size_t row_bytes = static_cast<size_t>(pixels.size(1) * pixels.size(2));
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = pixels.data_ptr<uint8_t>() + info.next_scanline * row_bytes;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::fclose(file);
}

/// Writes `image` (uint8 [H, W, 3]) as a 24-bit uncompressed BMP (bottom-up rows, BGR, rows
/// padded to 4 bytes): the format's simplest form, enough for a test fixture.
inline void write_bmp(const std::filesystem::path& path, const torch::Tensor& image) {
  const int64_t height = image.size(0);
  const int64_t width = image.size(1);
  const int64_t row_bytes = (width * 3 + 3) / 4 * 4;
  const auto data_bytes = static_cast<uint32_t>(row_bytes * height);
  std::vector<uint8_t> bytes = {'B', 'M'};
  auto put32 = [&bytes](uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto put16 = [&bytes](uint16_t v) {
    bytes.push_back(static_cast<uint8_t>(v));
    bytes.push_back(static_cast<uint8_t>(v >> 8));
  };
  put32(54 + data_bytes);
  put32(0);
  put32(54);
  put32(40);
  put32(static_cast<uint32_t>(width));
  put32(static_cast<uint32_t>(height));
  put16(1);
  put16(24);
  for (uint32_t v : {0U, data_bytes, 2835U, 2835U, 0U, 0U}) put32(v);
  const torch::Tensor pixels = image.contiguous();
  const uint8_t* p = pixels.data_ptr<uint8_t>();
  for (int64_t y = height - 1; y >= 0; --y) {
    for (int64_t x = 0; x < width; ++x) {
      const uint8_t* rgb = p + (y * width + x) * 3;
      bytes.insert(bytes.end(), {rgb[2], rgb[1], rgb[0]});
    }
    bytes.insert(bytes.end(), static_cast<size_t>(row_bytes - width * 3), 0);
  }
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

/// A seeded random uint8 image [height, width, channels].
inline torch::Tensor random_image(int64_t height, int64_t width, int64_t channels, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return torch::randint(0, 256, {height, width, channels}, generator, torch::kLong).to(torch::kUInt8);
}

}  // namespace tkeras::testing
