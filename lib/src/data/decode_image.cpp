// decode_image: libjpeg-turbo for JPEG, libpng for PNG, stb_image for BMP and GIF.
#include "tkeras/data/decode_image.h"

// clang-format off
#include <csetjmp>
#include <cstdio>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
// clang-format on
#include <stb/stb_image.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::data {
namespace {

// Where a decoder writes: the caller allocates the tensor once the header has told the size, so
// that the tensor lives outside the frames that a decoder's longjmp can skip.
struct Output {
  torch::Tensor pixels;
  std::string error;

  uint8_t* allocate(int64_t height, int64_t width, int64_t channels) {
    if (height <= 0 || width <= 0) {
      error = fmt::format("an image of {}x{} pixels", width, height);
      return nullptr;
    }
    if (height * width > kMaxImagePixels) {
      error = fmt::format("an image of {}x{} pixels, over the limit of {} pixels (a decompression bomb?)", width,
                          height, kMaxImagePixels);
      return nullptr;
    }
    pixels = torch::empty({height, width, channels}, torch::kUInt8);
    return pixels.data_ptr<uint8_t>();
  }
};

// --- JPEG (libjpeg-turbo): errors longjmp back to decode_jpeg, whose locals are all plain C ---

struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr info) {
  auto* error = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

// Warnings are ignored, except a file that ends early: an error, as Pillow's (without
// LOAD_TRUNCATED_IMAGES) and TensorFlow's, rather than an image filled with grey.
void jpeg_warning(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) jpeg_fail(info);
}

// Returns false with output->error set. Holds no C++ object with a destructor.
bool decode_jpeg(const uint8_t* data, size_t size, int channels, Output* output) {
  jpeg_decompress_struct info;
  JpegError error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = jpeg_fail;
  error.manager.emit_message = jpeg_warning;
  error.message[0] = '\0';
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&info);
    output->error = error.message;
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&info);
    output->error = "a CMYK JPEG (expected grayscale or YCbCr/RGB)";
    return false;
  }
  if (channels == 0) channels = info.num_components == 1 ? 1 : 3;
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_RGB : JCS_EXT_RGBA;
  jpeg_start_decompress(&info);
  uint8_t* pixels = output->allocate(info.output_height, info.output_width, info.output_components);
  if (pixels == nullptr) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  const size_t row_bytes = static_cast<size_t>(info.output_width) * static_cast<size_t>(info.output_components);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels + static_cast<size_t>(info.output_scanline) * row_bytes;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

// --- PNG (libpng): the same pattern, decoding to the file's own channels at 8 bits ---

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t offset;
};

void png_read_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) png_error(png, "the file ends too early (truncated)");
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

void png_fail(png_structp png, png_const_charp message) {
  auto* text = static_cast<char*>(png_get_error_ptr(png));
  std::snprintf(text, 256, "%s", message);
  png_longjmp(png, 1);
}

void png_ignore_warning(png_structp /*png*/, png_const_charp /*message*/) {}

bool decode_png(const uint8_t* data, size_t size, Output* output) {
  char message[256] = "";
  PngSource source{data, size, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, png_fail, png_ignore_warning);
  png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    output->error = "libpng could not start (out of memory)";
    return false;
  }
  // Pointers to the rows, kept in a C array so that a longjmp leaks nothing it skips.
  png_bytep* volatile rows = nullptr;
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_free(png, rows);
    png_destroy_read_struct(&png, &info, nullptr);
    output->error = message;
    return false;
  }
  png_set_read_fn(png, &source, png_read_memory);
  png_read_info(png, info);
  png_set_expand(png);              // palette to RGB, gray below 8 bits to 8, tRNS to alpha
  png_set_strip_16(png);            // 16-bit samples to their high byte
  png_set_interlace_handling(png);  // Adam7-interlaced files: png_read_image combines the passes
  png_read_update_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int channels = png_get_channels(png, info);
  uint8_t* pixels = output->allocate(height, width, channels);
  if (pixels == nullptr) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  rows = static_cast<png_bytep*>(png_malloc(png, sizeof(png_bytep) * height));
  const size_t row_bytes = static_cast<size_t>(width) * static_cast<size_t>(channels);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = pixels + y * row_bytes;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  png_free(png, rows);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// --- BMP and GIF (stb_image) ---

bool decode_stb(const uint8_t* data, size_t size, Output* output) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    output->error = fmt::format("a BMP or GIF file of {} bytes, over stb_image's limit of 2 GiB", size);
    return false;
  }
  int width = 0, height = 0, channels = 0;
  if (stbi_info_from_memory(data, static_cast<int>(size), &width, &height, &channels) == 0) {
    output->error = stbi_failure_reason();
    return false;
  }
  if (output->allocate(height, width, channels) == nullptr) return false;
  stbi_uc* decoded = stbi_load_from_memory(data, static_cast<int>(size), &width, &height, &channels, 0);
  if (decoded == nullptr) {
    output->error = stbi_failure_reason();
    return false;
  }
  std::memcpy(output->pixels.data_ptr<uint8_t>(), decoded, static_cast<size_t>(width) * height * channels);
  stbi_image_free(decoded);
  return true;
}

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic) {
  return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

// From the file's own channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) to `channels`, as Pillow's
// convert: luma L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (ITU-R 601), alpha dropped or
// added opaque.
torch::Tensor convert_channels(const torch::Tensor& image, int channels) {
  const int64_t own = image.size(2);
  if (channels == 0 || channels == own) return image;
  const torch::Tensor color = own <= 2 ? image.narrow(2, 0, 1).expand({-1, -1, 3}) : image.narrow(2, 0, 3);
  if (channels == 1) {
    if (own <= 2) return image.narrow(2, 0, 1).contiguous();
    // In bands of about a million pixels, so that the int32 arithmetic's temporaries stay small
    // next to the image (a whole 178-megapixel image would need 3 GB of them).
    const int64_t height = image.size(0), width = image.size(1);
    const int64_t band = std::max<int64_t>(1, (int64_t{1} << 20) / width);
    torch::Tensor luma = torch::empty({height, width, 1}, torch::kUInt8);
    for (int64_t top = 0; top < height; top += band) {
      const int64_t rows = std::min(band, height - top);
      const torch::Tensor wide = color.narrow(0, top, rows).to(torch::kInt32);
      luma.narrow(0, top, rows)
          .select(2, 0)
          .copy_((wide.select(2, 0) * 19595 + wide.select(2, 1) * 38470 + wide.select(2, 2) * 7471 + 32768)
                     .bitwise_right_shift(16));
    }
    return luma;
  }
  if (channels == 3) return color.contiguous();
  const bool has_alpha = own == 2 || own == 4;
  const torch::Tensor alpha =
      has_alpha ? image.narrow(2, own - 1, 1) : torch::full({image.size(0), image.size(1), 1}, 255, torch::kUInt8);
  return torch::cat({color, alpha}, 2);
}

}  // namespace

torch::Tensor decode_image(std::span<const uint8_t> contents, int channels, std::string_view name) {
  if (channels != 0 && channels != 1 && channels != 3 && channels != 4) {
    throw Error(fmt::format("decode_image: expected channels 0, 1, 3 or 4, received {}", channels));
  }
  Output output;
  bool decoded = false;
  if (starts_with(contents, "\xFF\xD8\xFF")) {
    decoded = decode_jpeg(contents.data(), contents.size(), channels, &output);
  } else if (starts_with(contents, "\x89PNG\r\n\x1A\n")) {
    decoded = decode_png(contents.data(), contents.size(), &output);
  } else if (starts_with(contents, "GIF87a") || starts_with(contents, "GIF89a")) {
    decoded = decode_stb(contents.data(), contents.size(), &output);
    // stb gives a GIF's palette colours as RGBA; its own channels are RGB, as TensorFlow's.
    if (decoded && channels == 0) channels = 3;
  } else if (starts_with(contents, "BM")) {
    decoded = decode_stb(contents.data(), contents.size(), &output);
  } else {
    throw Error(
        fmt::format("decode_image: \"{}\" is not a JPEG, PNG, BMP or GIF image (its first bytes are none of "
                    "theirs{})",
                    name, contents.empty() ? "; it is empty" : ""));
  }
  if (!decoded) throw Error(fmt::format("decode_image: cannot decode \"{}\": {}", name, output.error));
  return convert_channels(output.pixels, channels);
}

torch::Tensor decode_image(const std::filesystem::path& path, int channels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("decode_image: cannot open \"{}\"", path.string()));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(fmt::format("decode_image: cannot read \"{}\"", path.string()));
  return decode_image(std::span<const uint8_t>(bytes), channels, path.string());
}

}  // namespace tkeras::data
