// Conv1D: LibTorch's conv1d on a channels-first view, with Keras's "same" and "causal" padding.
#include "tkeras/layers/conv1d.h"

#include <array>
#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "layers/weight_options.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Conv1D::Conv1D(int64_t filters, int64_t kernel_size, Conv1DOptions options)
    : Layer("conv1d"),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  options_.activation = activations::canonical_name(options_.activation);
  if (options_.activation == "linear") options_.activation.clear();
  for (const auto& [what, value] : {std::pair<const char*, int64_t>{"filters", filters},
                                    {"kernel_size", kernel_size},
                                    {"strides", options_.strides},
                                    {"dilation_rate", options_.dilation_rate}}) {
    if (value <= 0) throw Error(fmt::format("Conv1D: expected a positive {}, received {}", what, value));
  }
  if (options_.padding != "valid" && options_.padding != "same" && options_.padding != "causal") {
    throw Error(
        fmt::format("Conv1D: expected padding \"valid\", \"same\" or \"causal\", received \"{}\"", options_.padding));
  }
  if (options_.groups <= 0) {
    throw Error(fmt::format("Conv1D: expected a positive number of groups, received {}", options_.groups));
  }
  if (filters % options_.groups != 0) {
    throw Error(fmt::format("Conv1D: expected filters divisible by groups, received filters = {} and groups = {}",
                            filters, options_.groups));
  }
  if (options_.strides > 1 && options_.dilation_rate > 1) {
    throw Error(
        fmt::format("Conv1D: strides > 1 is not compatible with dilation_rate > 1, received strides = {} "
                    "and dilation_rate = {}",
                    options_.strides, options_.dilation_rate));
  }
  weight_options::check("Conv1D",
                        {options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint});
  weight_options::check("Conv1D", {options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint});
  set_activity_regularizer(options_.activity_regularizer);
}

const registry::Registrar<Conv1D> conv1d_registration("Conv1D");

std::shared_ptr<Conv1D> Conv1D::from_config(const Config& config) {
  const ConfigReader read(config);
  const weight_options::WeightOptions kernel = weight_options::read(config, "kernel", "glorot_uniform");
  const weight_options::WeightOptions bias = weight_options::read(config, "bias", "zeros");
  const std::string data_format = read.string("data_format", "channels_last");
  if (data_format != "channels_last") {
    throw Error(
        fmt::format("Conv1D: data_format \"{}\" is not supported by tkeras; expected \"channels_last\"", data_format));
  }
  return configured(
      std::make_shared<Conv1D>(read.positive_int("filters"), spatial::read_size_1d(read, "kernel_size", 0),
                               Conv1DOptions{.strides = spatial::read_size_1d(read, "strides", 1),
                                             .padding = read.string("padding", "valid"),
                                             .dilation_rate = spatial::read_size_1d(read, "dilation_rate", 1),
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

Config Conv1D::get_config() const {
  Config config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = {kernel_size_};
  config["strides"] = {options_.strides};
  config["padding"] = options_.padding;
  config["dilation_rate"] = {options_.dilation_rate};
  config["groups"] = options_.groups;
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  weight_options::write(config, "kernel",
                        {options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint});
  weight_options::write(config, "bias",
                        {options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint});
  return config;
}

Shape Conv1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  const spatial::Windows1D out = spatial::windows_1d(*this, sequence[0], kernel_size_, options_.strides,
                                                     options_.dilation_rate, options_.padding, "a kernel");
  pad_front_ = out.before;
  pad_back_ = out.after;
  const int64_t channels = sequence[1];
  if (channels % options_.groups != 0) {
    throw Error(
        fmt::format("Conv1D \"{}\": expected input channels divisible by groups = {}, received {} channels "
                    "(input shape {})",
                    name(), options_.groups, channels, format_batch_shape(input_shape)));
  }
  const int64_t group_channels = channels / options_.groups;
  kernel_ = add_weight("kernel", initial_value(options_.kernel_initializer, {kernel_size_, group_channels, filters_}),
                       /*trainable=*/true, regularizers::get(options_.kernel_regularizer),
                       constraints::get(options_.kernel_constraint));
  if (options_.use_bias) {
    bias_ = add_weight("bias", initial_value(options_.bias_initializer, {filters_}), /*trainable=*/true,
                       regularizers::get(options_.bias_regularizer), constraints::get(options_.bias_constraint));
  }
  return {out.steps, filters_};
}

torch::Tensor Conv1D::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  torch::Tensor x = inputs.transpose(1, 2);  // [N, channels, steps], a view
  if (pad_front_ != 0 || pad_back_ != 0) x = torch::constant_pad_nd(x, {pad_front_, pad_back_}, 0.0);
  // LibTorch's weight is [filters, channels, kernel_size]: a view of Keras's kernel.
  const std::array<int64_t, 1> stride = {options_.strides};
  const std::array<int64_t, 1> no_padding = {0};
  const std::array<int64_t, 1> dilation = {options_.dilation_rate};
  const torch::Tensor outputs = torch::conv1d(
      x, kernel_.permute({2, 1, 0}), options_.use_bias ? bias_ : torch::Tensor(), torch::IntArrayRef(stride),
      torch::IntArrayRef(no_padding), torch::IntArrayRef(dilation), options_.groups);
  return outputs.transpose(1, 2);
}

torch::Tensor Conv1D::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value Conv1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  // onnxruntime refuses auto_pad SAME_UPPER with dilation: a dilated "same" convolution gives its pads.
  const bool dilated_same = options_.padding == "same" && options_.dilation_rate > 1;
  return spatial::conv_to_onnx(*this, graph, inputs, 1, {}, options_.groups,
                               dilated_same ? std::vector<int64_t>{pad_front_, pad_back_} : std::vector<int64_t>{});
}

}  // namespace tkeras::layers
