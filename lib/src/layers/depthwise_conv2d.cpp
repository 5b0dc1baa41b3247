// DepthwiseConv2D: LibTorch's grouped convolution, one group per channel, on a channels-last view.
#include "tkeras/layers/depthwise_conv2d.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

DepthwiseConv2D::DepthwiseConv2D(Size2 kernel_size, DepthwiseConv2DOptions options)
    : Layer("depthwise_conv2d"),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  if (options_.depth_multiplier <= 0) {
    throw Error(
        fmt::format("DepthwiseConv2D: expected a positive depth_multiplier, received {}", options_.depth_multiplier));
  }
  spatial::check_positive("DepthwiseConv2D", "kernel_size", kernel_size_);
  spatial::check_positive("DepthwiseConv2D", "strides", options_.strides);
  spatial::check_padding("DepthwiseConv2D", options_.padding);
}

const registry::Registrar<DepthwiseConv2D> depthwise_conv2d_registration("DepthwiseConv2D");

std::shared_ptr<DepthwiseConv2D> DepthwiseConv2D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "DepthwiseConv2D");
  const auto [height, width] = read.size2("kernel_size");
  const auto strides = read.has("strides") ? read.size2("strides") : std::pair<int64_t, int64_t>{1, 1};
  return configured(
      std::make_shared<DepthwiseConv2D>(
          Size2(height, width),
          DepthwiseConv2DOptions{
              .strides = {strides.first, strides.second},
              .padding = read.string("padding", "valid"),
              .depth_multiplier = read.has("depth_multiplier") ? read.positive_int("depth_multiplier") : 1,
              .activation = read.string("activation", "linear"),
              .use_bias = read.boolean("use_bias", true)}),
      config);
}

Config DepthwiseConv2D::get_config() const {
  Config config = Layer::get_config();
  config["kernel_size"] = {kernel_size_.height, kernel_size_.width};
  config["strides"] = {options_.strides.height, options_.strides.width};
  config["padding"] = options_.padding;
  config["depth_multiplier"] = options_.depth_multiplier;
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  return config;
}

Shape DepthwiseConv2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const spatial::Windows out =
      spatial::windows(*this, image, kernel_size_, options_.strides, options_.padding, "kernel");
  padding_ = out.padding;
  channels_ = image[2];
  const int64_t multiplier = options_.depth_multiplier;
  // Glorot-uniform with Keras's fans of a [kh, kw, channels, multiplier] kernel.
  const double receptive = static_cast<double>(kernel_size_.height) * static_cast<double>(kernel_size_.width);
  const double limit =
      std::sqrt(6.0 / (receptive * (static_cast<double>(channels_) + static_cast<double>(multiplier))));
  const torch::TensorOptions options = initializer_options();
  kernel_ = add_weight(
      "kernel",
      torch::empty({kernel_size_.height, kernel_size_.width, channels_, multiplier}, options).uniform_(-limit, limit));
  if (options_.use_bias) bias_ = add_weight("bias", torch::zeros({channels_ * multiplier}, options));
  return {out.height, out.width, channels_ * multiplier};
}

torch::Tensor DepthwiseConv2D::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  // [kh, kw, C, M] -> [C * M, 1, kh, kw]: output channel c * M + m is channel c's window m.
  const torch::Tensor weight = spatial::torch_kernel(torch_kernel_, kernel_, [&](const torch::Tensor& k) {
    return k.permute({2, 3, 0, 1})
        .reshape({channels_ * options_.depth_multiplier, 1, kernel_size_.height, kernel_size_.width});
  });
  return spatial::conv2d(inputs, weight, bias_, options_.strides, padding_, /*dilation=*/1, /*groups=*/channels_);
}

torch::Tensor DepthwiseConv2D::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value DepthwiseConv2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  // A group per channel: [kh, kw, C, M] -> [C * M, 1, kh, kw], as in call.
  const torch::Tensor kernel = kernel_.detach().to(torch::kCPU, torch::kFloat32);
  return spatial::conv_to_onnx(
      *this, graph, inputs, 2,
      kernel.permute({2, 3, 0, 1}).reshape({-1, 1, kernel_size_.height, kernel_size_.width}).contiguous(), channels_);
}

}  // namespace tkeras::layers
