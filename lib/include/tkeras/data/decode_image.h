// decode_image: JPEG, PNG, BMP and GIF files into uint8 tensors, as tf.io.decode_image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include <torch/types.h>

namespace tkeras::data {

/// The largest image `decode_image` accepts, in pixels: Pillow's limit for decompression bombs
/// (2 x 89,478,485).
inline constexpr int64_t kMaxImagePixels = 178956970;

/// Decodes an image file's bytes into a uint8 tensor `[height, width, channels]`, as
/// `tf.io.decode_image(contents, channels, expand_animations=False)`.
///
/// The format comes from the bytes (not the name): JPEG with libjpeg-turbo, PNG with libpng,
/// BMP and GIF (its first frame) with stb_image. `channels` 1 gives grayscale (ITU-R 601 luma),
/// 3 RGB, 4 RGBA (opaque where the file has no alpha); 0 keeps the file's own (1, 2, 3 or 4; a
/// JPEG's 1 or 3). 16-bit PNG samples are cut to their high 8 bits.
///
/// Throws `tkeras::Error` naming `name` for bytes that are no image of these formats, a
/// truncated or corrupt file, an image larger than `kMaxImagePixels`, and `channels` other than
/// 0, 1, 3 or 4.
torch::Tensor decode_image(std::span<const uint8_t> contents, int channels = 0, std::string_view name = "image");

/// Reads and decodes the image file at `path`; errors name the path.
torch::Tensor decode_image(const std::filesystem::path& path, int channels = 0);

}  // namespace tkeras::data
