// Conv2D: LibTorch's convolution on a channels-last view of Keras-layout images.
#include "tkeras/layers/conv2d.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Conv2D::Conv2D(int64_t filters, Size2 kernel_size, Conv2DOptions options)
    : Layer("conv2d"),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  if (filters <= 0) throw Error(fmt::format("Conv2D: expected a positive number of filters, received {}", filters));
  spatial::check_positive("Conv2D", "kernel_size", kernel_size_);
  spatial::check_positive("Conv2D", "strides", options_.strides);
  spatial::check_padding("Conv2D", options_.padding);
}

Shape Conv2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const spatial::Windows out =
      spatial::windows(*this, image, kernel_size_, options_.strides, options_.padding, "kernel");
  padding_ = out.padding;
  const int64_t channels = image[2];
  const int64_t receptive = kernel_size_.height * kernel_size_.width;
  // Glorot-uniform with Keras's fans for a convolution kernel.
  const double limit = std::sqrt(6.0 / static_cast<double>(receptive * (channels + filters_)));
  kernel_ = add_weight(
      "kernel", torch::empty({kernel_size_.height, kernel_size_.width, channels, filters_}).uniform_(-limit, limit));
  if (options_.use_bias) bias_ = add_weight("bias", torch::zeros({filters_}));
  return {out.height, out.width, filters_};
}

torch::Tensor Conv2D::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  torch::Tensor images = spatial::channels_first(inputs);
  // LibTorch pads symmetrically; Keras's "same" pads one more at the end when the total is odd.
  const bool symmetric = padding_[0] == padding_[1] && padding_[2] == padding_[3];
  if (!symmetric) images = spatial::pad(images, padding_, 0.0);
  const torch::Tensor weight = kernel_.permute({3, 2, 0, 1});  // [filters, channels, kh, kw]
  const torch::Tensor outputs =
      torch::conv2d(images, weight, bias_, {options_.strides.height, options_.strides.width},
                    symmetric ? std::vector<int64_t>{padding_[2], padding_[0]} : std::vector<int64_t>{0, 0});
  return spatial::channels_last(outputs);
}

torch::Tensor Conv2D::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

}  // namespace tkeras::layers
