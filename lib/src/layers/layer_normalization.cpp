// LayerNormalization as Keras's torch backend computes it: LibTorch's layer_norm over the last
// axes, Keras's moments over others.
#include "tkeras/layers/layer_normalization.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

LayerNormalization::LayerNormalization(LayerNormalizationOptions options)
    : Layer("layer_normalization"), options_(std::move(options)) {
  if (options_.axis.empty()) throw Error("LayerNormalization: expected at least one axis, received axis=[]");
  if (!(options_.epsilon >= 0.0)) {
    throw Error(fmt::format("LayerNormalization: expected a non-negative epsilon, received {}", options_.epsilon));
  }
  // Keras sorts the axes as given (its config then lists them so).
  std::sort(options_.axis.begin(), options_.axis.end());
}

const registry::Registrar<LayerNormalization> layer_normalization_registration("LayerNormalization");

std::shared_ptr<LayerNormalization> LayerNormalization::from_config(const Config& config) {
  const ConfigReader read(config);
  const LayerNormalizationOptions defaults;
  std::vector<int64_t> axis = defaults.axis;
  if (read.has("axis")) {
    // Keras writes a number before the layer is built and a list after.
    const Config& value = read.at("axis");
    const auto bad = [&] {
      return Error(fmt::format("LayerNormalization: expected axis as an integer or a list of integers, received {}",
                               value.dump()));
    };
    if (value.is_number_integer()) {
      axis = {value.get<int64_t>()};
    } else if (value.is_array()) {
      axis.clear();
      for (const Config& each : value) {
        if (!each.is_number_integer()) throw bad();
        axis.push_back(each.get<int64_t>());
      }
    } else {
      throw bad();
    }
  }
  return configured(std::make_shared<LayerNormalization>(
                        LayerNormalizationOptions{.axis = std::move(axis),
                                                  .epsilon = read.number("epsilon", defaults.epsilon),
                                                  .center = read.boolean("center", defaults.center),
                                                  .scale = read.boolean("scale", defaults.scale),
                                                  .rms_scaling = read.boolean("rms_scaling", defaults.rms_scaling)}),
                    config);
}

Config LayerNormalization::get_config() const {
  Config config = Layer::get_config();
  config["axis"] = options_.axis;
  config["epsilon"] = options_.epsilon;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  config["rms_scaling"] = options_.rms_scaling;
  return config;
}

Shape LayerNormalization::build_weights(const Shape& input_shape) {
  const auto rank = static_cast<int64_t>(input_shape.size()) + 1;
  std::vector<int64_t> axes;
  for (const int64_t given : options_.axis) {
    if (given < -rank || given >= rank) {
      throw Error(fmt::format("LayerNormalization \"{}\": expected axes in [{}, {}) for input {}, received axis={}",
                              name(), -rank, rank, format_batch_shape(input_shape), options_.axis));
    }
    const int64_t axis = given < 0 ? given + rank : given;
    if (axis == 0) {
      throw Error(
          fmt::format("LayerNormalization \"{}\": expected axes other than the batch axis (0) for input {}, "
                      "received axis={}",
                      name(), format_batch_shape(input_shape), options_.axis));
    }
    axes.push_back(axis);
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    throw Error(fmt::format("LayerNormalization \"{}\": expected each axis once for input {}, received axis={}", name(),
                            format_batch_shape(input_shape), options_.axis));
  }
  axes_ = axes;
  trailing_ = axes_.back() == rank - 1 && axes_.front() == rank - static_cast<int64_t>(axes_.size());
  Shape shape;
  broadcast_.assign(input_shape.size(), 1);
  for (const int64_t axis : axes_) {
    shape.push_back(input_shape[static_cast<size_t>(axis - 1)]);
    broadcast_[static_cast<size_t>(axis - 1)] = input_shape[static_cast<size_t>(axis - 1)];
  }
  const torch::TensorOptions options = initializer_options();
  if (options_.scale || options_.rms_scaling) gamma_ = add_weight("gamma", torch::ones(shape, options));
  if (options_.center && !options_.rms_scaling) beta_ = add_weight("beta", torch::zeros(shape, options));
  return input_shape;
}

torch::Tensor LayerNormalization::call(const torch::Tensor& inputs, bool /*training*/) {
  const double epsilon = options_.epsilon;
  const torch::Tensor gamma = gamma_.defined() ? gamma_.reshape(broadcast_) : torch::Tensor();
  const torch::Tensor beta = beta_.defined() ? beta_.reshape(broadcast_) : torch::Tensor();
  if (options_.rms_scaling) {
    // Keras's (deprecated) rms_scaling: x / sqrt(variance + epsilon), the variance biased.
    const torch::Tensor variance = torch::var(inputs, axes_, /*correction=*/0, /*keepdim=*/true);
    const torch::Tensor outputs = inputs * torch::rsqrt(variance + epsilon);
    return gamma.defined() ? outputs * gamma : outputs;
  }
  if (trailing_) {
    // As Keras's torch backend: F.layer_norm over the last axes.
    const std::vector<int64_t> normalized(inputs.sizes().end() - static_cast<int64_t>(axes_.size()),
                                          inputs.sizes().end());
    return torch::layer_norm(inputs, normalized, gamma_, beta_, epsilon);
  }
  // Keras's moments: the variance as E[x^2] - E[x]^2; then x * inv + (beta - mean * inv).
  const torch::Tensor mean = inputs.mean(axes_, /*keepdim=*/true);
  const torch::Tensor variance = inputs.square().mean(axes_, /*keepdim=*/true) - mean.square();
  torch::Tensor inv = torch::rsqrt(variance + epsilon);
  if (gamma.defined()) inv = inv * gamma;
  torch::Tensor shift = -mean * inv;
  if (beta.defined()) shift = shift + beta;
  return inputs * inv + shift;
}

io::onnx::Value LayerNormalization::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& layer = name();
  const std::vector<Attribute> reduce = {Attribute::of("axes", axes_), Attribute::of("keepdims", int64_t{1})};
  const std::string mean = graph.op("ReduceMean", {inputs.name}, reduce, layer);
  const std::string centered = graph.op("Sub", {inputs.name, mean}, {}, layer);
  const std::string variance =
      graph.op("ReduceMean", {graph.op("Mul", {centered, centered}, {}, layer)}, reduce, layer);
  const std::string deviation = graph.op(
      "Sqrt",
      {graph.op("Add",
                {variance, graph.constant(torch::tensor(static_cast<float>(options_.epsilon)), layer + "/epsilon")}, {},
                layer)},
      {}, layer);
  std::string out = graph.op("Div", {options_.rms_scaling ? inputs.name : centered, deviation}, {}, layer);
  const auto broadcast = [&](const std::string& weight) {
    return onnx_export::weight(*this, weight).reshape(broadcast_);
  };
  if (gamma_.defined()) out = graph.op("Mul", {out, graph.constant(broadcast("gamma"), layer + "/gamma")}, {}, layer);
  if (beta_.defined()) out = graph.op("Add", {out, graph.constant(broadcast("beta"), layer + "/beta")}, {}, layer);
  return onnx_export::output(*this, inputs, out);
}

}  // namespace tkeras::layers
