// Resizing images as Keras's torch backend does.
#include "data/resize.h"

#include <algorithm>

#include <torch/torch.h>

namespace tkeras::data::resize {

torch::Tensor images(const torch::Tensor& batch, int64_t height, int64_t width, const std::string& interpolation,
                     bool antialias) {
  namespace F = torch::nn::functional;
  using Mode = F::InterpolateFuncOptions::mode_t;
  const torch::Tensor pixels = batch.to(torch::kFloat32);
  if (pixels.size(1) == height && pixels.size(2) == width) return pixels.contiguous();
  auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{height, width});
  if (interpolation == "nearest") {
    // (LibTorch's C++ interpolate warns unless align_corners is given, which nearest-exact ignores.)
    options.mode(Mode(torch::kNearestExact)).align_corners(false);
  } else {
    options.mode(interpolation == "bicubic" ? Mode(torch::kBicubic) : Mode(torch::kBilinear))
        .align_corners(false)
        .antialias(antialias);
  }
  return F::interpolate(pixels.permute({0, 3, 1, 2}), options).permute({0, 2, 3, 1}).contiguous();
}

torch::Tensor crop_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width) {
  const int64_t h = batch.size(1);
  const int64_t w = batch.size(2);
  const auto crop_height = std::max<int64_t>(
      std::min(h, static_cast<int64_t>(static_cast<double>(w * height) / static_cast<double>(width))), 1);
  const auto crop_width = std::max<int64_t>(
      std::min(w, static_cast<int64_t>(static_cast<double>(h * width) / static_cast<double>(height))), 1);
  const auto top = static_cast<int64_t>(static_cast<double>(h - crop_height) / 2);
  const auto left = static_cast<int64_t>(static_cast<double>(w - crop_width) / 2);
  return batch.narrow(1, top, crop_height).narrow(2, left, crop_width);
}

torch::Tensor pad_to_aspect(const torch::Tensor& batch, int64_t height, int64_t width, double fill_value) {
  const int64_t h = batch.size(1);
  const int64_t w = batch.size(2);
  const int64_t pad_height = std::max(h, static_cast<int64_t>(static_cast<double>(w * height) / static_cast<double>(width)));
  const int64_t pad_width = std::max(w, static_cast<int64_t>(static_cast<double>(h * width) / static_cast<double>(height)));
  const auto top = static_cast<int64_t>(static_cast<double>(pad_height - h) / 2);
  const auto left = static_cast<int64_t>(static_cast<double>(pad_width - w) / 2);
  // Keras pads the same amount on both sides (the box may come out one short of pad_*).
  torch::Tensor padded =
      torch::full({batch.size(0), h + 2 * top, w + 2 * left, batch.size(3)}, fill_value, batch.options());
  padded.narrow(1, top, h).narrow(2, left, w).copy_(batch);
  return padded;
}

}  // namespace tkeras::data::resize
