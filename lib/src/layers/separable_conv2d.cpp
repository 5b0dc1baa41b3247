// SeparableConv2D: LibTorch's grouped convolution on a channels-last view, then a matrix product
// over the channels, as Keras's torch backend.
#include "tkeras/layers/separable_conv2d.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

SeparableConv2D::SeparableConv2D(int64_t filters, Size2 kernel_size, SeparableConv2DOptions options)
    : Layer("separable_conv2d"),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  if (filters <= 0) {
    throw Error(fmt::format("SeparableConv2D: expected a positive number of filters, received {}", filters));
  }
  if (options_.depth_multiplier <= 0) {
    throw Error(
        fmt::format("SeparableConv2D: expected a positive depth_multiplier, received {}", options_.depth_multiplier));
  }
  spatial::check_positive("SeparableConv2D", "kernel_size", kernel_size_);
  spatial::check_positive("SeparableConv2D", "strides", options_.strides);
  spatial::check_padding("SeparableConv2D", options_.padding);
  spatial::check_dilation("SeparableConv2D", options_.strides, options_.dilation_rate);
}

const registry::Registrar<SeparableConv2D> separable_conv2d_registration("SeparableConv2D");

std::shared_ptr<SeparableConv2D> SeparableConv2D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "SeparableConv2D");
  const auto [height, width] = read.size2("kernel_size");
  return configured(
      std::make_shared<SeparableConv2D>(
          read.positive_int("filters"), Size2(height, width),
          SeparableConv2DOptions{
              .strides = spatial::read_size2(read, "strides", 1),
              .padding = read.string("padding", "valid"),
              .dilation_rate = spatial::read_size2(read, "dilation_rate", 1),
              .depth_multiplier = read.has("depth_multiplier") ? read.positive_int("depth_multiplier") : 1,
              .activation = read.string("activation", "linear"),
              .use_bias = read.boolean("use_bias", true)}),
      config);
}

Config SeparableConv2D::get_config() const {
  Config config = Layer::get_config();
  config["depth_multiplier"] = options_.depth_multiplier;
  config["filters"] = filters_;
  config["kernel_size"] = {kernel_size_.height, kernel_size_.width};
  config["strides"] = {options_.strides.height, options_.strides.width};
  config["padding"] = options_.padding;
  config["data_format"] = "channels_last";
  config["dilation_rate"] = {options_.dilation_rate.height, options_.dilation_rate.width};
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  return config;
}

Shape SeparableConv2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const spatial::Windows out = spatial::windows(*this, image, kernel_size_, options_.strides, options_.padding,
                                                "kernel", options_.dilation_rate);
  padding_ = out.padding;
  channels_ = image[2];
  const int64_t depth = channels_ * options_.depth_multiplier;
  // Glorot-uniform with Keras's fans: [kh, kw, C, M] has kh * kw * C in and kh * kw * M out;
  // [1, 1, C * M, filters] has C * M in and filters out.
  const double receptive = static_cast<double>(kernel_size_.height) * static_cast<double>(kernel_size_.width);
  const double depthwise_limit =
      std::sqrt(6.0 / (receptive * static_cast<double>(channels_ + options_.depth_multiplier)));
  const double pointwise_limit = std::sqrt(6.0 / static_cast<double>(depth + filters_));
  const torch::TensorOptions options = initializer_options();
  depthwise_kernel_ =
      add_weight("depthwise_kernel",
                 torch::empty({kernel_size_.height, kernel_size_.width, channels_, options_.depth_multiplier}, options)
                     .uniform_(-depthwise_limit, depthwise_limit));
  pointwise_kernel_ = add_weight(
      "pointwise_kernel", torch::empty({1, 1, depth, filters_}, options).uniform_(-pointwise_limit, pointwise_limit));
  if (options_.use_bias) bias_ = add_weight("bias", torch::zeros({filters_}, options));
  return {out.height, out.width, filters_};
}

torch::Tensor SeparableConv2D::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  // [kh, kw, C, M] -> [C * M, 1, kh, kw]: channel c * M + m is channel c through window m.
  const torch::Tensor depthwise = spatial::torch_kernel(torch_kernel_, depthwise_kernel_, [&](const torch::Tensor& k) {
    return k.permute({2, 3, 0, 1}).reshape({-1, 1, kernel_size_.height, kernel_size_.width});
  });
  const torch::Tensor x =
      spatial::conv2d(inputs, depthwise, {}, options_.strides, padding_, options_.dilation_rate, channels_);
  // The pointwise step on the channels-last pixels: [.., C * M] x [C * M, filters] (+ bias), one
  // matrix product, as Keras's torch backend runs a 1x1 convolution.
  return torch::linear(x, pointwise_kernel_.flatten(0, 2).t(), bias_);
}

torch::Tensor SeparableConv2D::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value SeparableConv2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& name = this->name();
  const torch::Tensor depthwise = onnx_export::weight(*this, "depthwise_kernel");  // [kh, kw, C, M]
  const torch::Tensor pointwise = onnx_export::weight(*this, "pointwise_kernel");  // [1, 1, C * M, filters]
  // Two ONNX Convs: a group per channel ([C * M, 1, kh, kw], as in call), then 1x1 with the bias.
  const std::string depthwise_out = graph.op(
      "Conv",
      {graph.to_channels_first(inputs.name, 4, name),
       graph.constant(
           depthwise.permute({2, 3, 0, 1}).reshape({-1, 1, kernel_size_.height, kernel_size_.width}).contiguous(),
           name + "/depthwise_kernel")},
      {Attribute::of("dilations", std::vector<int64_t>{options_.dilation_rate.height, options_.dilation_rate.width}),
       Attribute::of("group", channels_),
       Attribute::of("kernel_shape", std::vector<int64_t>{kernel_size_.height, kernel_size_.width}),
       // Explicit pads: onnxruntime refuses auto_pad SAME_UPPER with dilation.
       Attribute::of("pads", spatial::onnx_pads(padding_)),
       Attribute::of("strides", std::vector<int64_t>{options_.strides.height, options_.strides.width})},
      name);
  std::vector<std::string> operands = {
      depthwise_out, graph.constant(pointwise.permute({3, 2, 0, 1}).contiguous(), name + "/pointwise_kernel")};
  if (const torch::Tensor bias = onnx_export::weight(*this, "bias"); bias.defined())
    operands.push_back(graph.constant(bias, name + "/bias"));
  const std::string pointwise_out =
      graph.op("Conv", operands, {Attribute::of("kernel_shape", std::vector<int64_t>{1, 1})}, name);
  const io::onnx::Value out = onnx_export::output(*this, inputs, graph.to_channels_last(pointwise_out, 4, name));
  return onnx_export::activation(*this, graph, out, activation());
}

}  // namespace tkeras::layers
