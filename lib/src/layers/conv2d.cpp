// Conv2D: LibTorch's convolution on a channels-last view of Keras-layout images.
#include "tkeras/layers/conv2d.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "layers/weight_options.h"
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
  spatial::check_dilation("Conv2D", options_.strides, options_.dilation_rate);
  if (options_.groups <= 0) {
    throw Error(fmt::format("Conv2D: expected a positive number of groups, received {}", options_.groups));
  }
  if (filters % options_.groups != 0) {
    throw Error(fmt::format("Conv2D: expected filters divisible by groups, received filters = {} and groups = {}",
                            filters, options_.groups));
  }
  weight_options::check("Conv2D",
                        {options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint});
  weight_options::check("Conv2D", {options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint});
  set_activity_regularizer(options_.activity_regularizer);
}

const registry::Registrar<Conv2D> conv2d_registration("Conv2D");

std::shared_ptr<Conv2D> Conv2D::from_config(const Config& config) {
  const ConfigReader read(config);
  const weight_options::WeightOptions kernel = weight_options::read(config, "kernel", "glorot_uniform");
  const weight_options::WeightOptions bias = weight_options::read(config, "bias", "zeros");
  const auto [height, width] = read.size2("kernel_size");
  return configured(
      std::make_shared<Conv2D>(read.positive_int("filters"), Size2(height, width),
                               Conv2DOptions{.strides = spatial::read_size2(read, "strides", 1),
                                             .padding = read.string("padding", "valid"),
                                             .dilation_rate = spatial::read_size2(read, "dilation_rate", 1),
                                             .groups = read.has("groups") ? read.positive_int("groups") : 1,
                                             .activation = read.string("activation", "linear"),
                                             .use_bias = read.boolean("use_bias", true),
                                             .kernel_initializer = kernel.initializer,
                                             .bias_initializer = bias.initializer,
                                             .kernel_regularizer = kernel.regularizer,
                                             .bias_regularizer = bias.regularizer,
                                             .kernel_constraint = kernel.constraint,
                                             .bias_constraint = bias.constraint}),
      config);
}

Config Conv2D::get_config() const {
  Config config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = {kernel_size_.height, kernel_size_.width};
  config["strides"] = {options_.strides.height, options_.strides.width};
  config["padding"] = options_.padding;
  config["dilation_rate"] = {options_.dilation_rate.height, options_.dilation_rate.width};
  config["groups"] = options_.groups;
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  weight_options::write(config, "kernel",
                        {options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint});
  weight_options::write(config, "bias",
                        {options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint});
  return config;
}

Shape Conv2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const int64_t channels = image[2];
  if (channels % options_.groups != 0) {
    throw Error(
        fmt::format("Conv2D \"{}\": expected input channels divisible by groups = {}, received {} channels "
                    "(input shape {})",
                    name(), options_.groups, channels, format_batch_shape(input_shape)));
  }
  const spatial::Windows out = spatial::windows(*this, image, kernel_size_, options_.strides, options_.padding,
                                                "kernel", options_.dilation_rate);
  padding_ = out.padding;
  const int64_t group_channels = channels / options_.groups;
  kernel_ = add_weight(
      "kernel",
      initial_value(options_.kernel_initializer, {kernel_size_.height, kernel_size_.width, group_channels, filters_}),
      /*trainable=*/true, regularizers::get(options_.kernel_regularizer), constraints::get(options_.kernel_constraint));
  if (options_.use_bias) {
    bias_ = add_weight("bias", initial_value(options_.bias_initializer, {filters_}), /*trainable=*/true,
                       regularizers::get(options_.bias_regularizer), constraints::get(options_.bias_constraint));
  }
  return {out.height, out.width, filters_};
}

torch::Tensor Conv2D::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  // [kh, kw, channels / groups, filters] -> LibTorch's [filters, channels / groups, kh, kw], a view.
  const torch::Tensor weight = spatial::torch_kernel(torch_kernel_, kernel_, [](const torch::Tensor& k) {
    return k.permute({3, 2, 0, 1});
  });
  return spatial::conv2d(inputs, weight, bias_, options_.strides, padding_, options_.dilation_rate, options_.groups);
}

torch::Tensor Conv2D::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value Conv2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  // Keras's grouped kernel permuted is ONNX's grouped layout [filters, channels / groups, kh, kw].
  // onnxruntime refuses auto_pad SAME_UPPER with dilation: a dilated convolution gives its pads.
  const bool dilated = options_.dilation_rate != Size2(1);
  return spatial::conv_to_onnx(*this, graph, inputs, 2, {}, options_.groups,
                               dilated ? spatial::onnx_pads(padding_) : std::vector<int64_t>{});
}

}  // namespace tkeras::layers
