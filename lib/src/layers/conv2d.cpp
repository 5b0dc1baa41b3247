// Conv2D: LibTorch's convolution on a channels-last view of Keras-layout images.
#include "tkeras/layers/conv2d.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
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

const registry::Registrar<Conv2D> conv2d_registration("Conv2D");

std::shared_ptr<Conv2D> Conv2D::from_config(const Config& config) {
  const ConfigReader read(config);
  const auto [height, width] = read.size2("kernel_size");
  const auto strides = read.has("strides") ? read.size2("strides") : std::pair<int64_t, int64_t>{1, 1};
  return configured(std::make_shared<Conv2D>(read.positive_int("filters"), Size2(height, width),
                                             Conv2DOptions{.strides = {strides.first, strides.second},
                                                           .padding = read.string("padding", "valid"),
                                                           .activation = read.string("activation", "linear"),
                                                           .use_bias = read.boolean("use_bias", true)}),
                    config);
}

Config Conv2D::get_config() const {
  Config config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = {kernel_size_.height, kernel_size_.width};
  config["strides"] = {options_.strides.height, options_.strides.width};
  config["padding"] = options_.padding;
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  return config;
}

Shape Conv2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const spatial::Windows out =
      spatial::windows(*this, image, kernel_size_, options_.strides, options_.padding, "kernel");
  padding_ = out.padding;
  const int64_t channels = image[2];
  const double receptive = static_cast<double>(kernel_size_.height) * static_cast<double>(kernel_size_.width);
  // Glorot-uniform with Keras's fans for a convolution kernel.
  const double limit = std::sqrt(6.0 / (receptive * (static_cast<double>(channels) + static_cast<double>(filters_))));
  const torch::TensorOptions options = initializer_options();
  kernel_ = add_weight(
      "kernel",
      torch::empty({kernel_size_.height, kernel_size_.width, channels, filters_}, options).uniform_(-limit, limit));
  if (options_.use_bias) bias_ = add_weight("bias", torch::zeros({filters_}, options));
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

io::onnx::Value Conv2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::conv_to_onnx(*this, graph, inputs, 2);
}

}  // namespace tkeras::layers
