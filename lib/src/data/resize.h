// Resizing images as Keras's torch backend does (internal): LibTorch's interpolate with half-pixel
// centres, and Keras's crop or pad to the target's aspect ratio. Images are [batch, height,
// width, channels].
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

namespace tkeras::data::resize {

/// Images resized to height x width: "bilinear" (corners not aligned), "nearest" (LibTorch's
/// nearest-exact) or "bicubic", as float32; `antialias` for bilinear and bicubic.
torch::Tensor images(const torch::Tensor& batch, int64_t height, int64_t width, const std::string& interpolation,
                     bool antialias = false);
/// One image `[H, W, C]` (uint8 or float32, any strides) resized to height x width with bilinear
/// interpolation and half-pixel centres, as float32 `[height, width, C]`: the values of
/// `images(image.unsqueeze(0), height, width, "bilinear").squeeze(0)` within float32 rounding
/// (LibTorch's source indices and weights; it sums the four products in another order), computed
/// faster for a 3-channel photo (measured in docs/benchmarks.md). For the directory loader's
/// worker threads: single-threaded, no autograd.
torch::Tensor bilinear_image(const torch::Tensor& image, int64_t height, int64_t width);
/// Keras's smart_resize crop: the largest centred box with height:width's aspect ratio.
torch::Tensor crop_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width);
/// Keras's pad_to_aspect_ratio: the images centred in a box of height:width's aspect ratio, the
/// rest `fill_value`.
torch::Tensor pad_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width, double fill_value);

}  // namespace tkeras::data::resize
