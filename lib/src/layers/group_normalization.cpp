// GroupNormalization as Keras computes it: the channels split into groups, Keras's moments over
// each group.
#include "tkeras/layers/group_normalization.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

GroupNormalization::GroupNormalization(GroupNormalizationOptions options)
    : Layer("group_normalization"), options_(options) {
  if (options_.groups <= 0 && options_.groups != -1) {
    throw Error(
        fmt::format("GroupNormalization: expected a positive number of groups (or -1 for instance "
                    "normalization), received groups={}",
                    options_.groups));
  }
  if (!(options_.epsilon >= 0.0)) {
    throw Error(fmt::format("GroupNormalization: expected a non-negative epsilon, received {}", options_.epsilon));
  }
}

const registry::Registrar<GroupNormalization> group_normalization_registration("GroupNormalization");

std::shared_ptr<GroupNormalization> GroupNormalization::from_config(const Config& config) {
  const ConfigReader read(config);
  const GroupNormalizationOptions defaults;
  const auto integer = [&](std::string_view key, int64_t fallback) {
    if (!read.has(key)) return fallback;
    const Config& value = read.at(key);
    if (!value.is_number_integer()) {
      throw Error(fmt::format("GroupNormalization: expected {} as an integer, received {}", key, value.dump()));
    }
    return value.get<int64_t>();
  };
  return configured(std::make_shared<GroupNormalization>(
                        GroupNormalizationOptions{.groups = integer("groups", defaults.groups),
                                                  .axis = integer("axis", defaults.axis),
                                                  .epsilon = read.number("epsilon", defaults.epsilon),
                                                  .center = read.boolean("center", defaults.center),
                                                  .scale = read.boolean("scale", defaults.scale)}),
                    config);
}

Config GroupNormalization::get_config() const {
  Config config = Layer::get_config();
  config["groups"] = options_.groups;
  config["axis"] = options_.axis;
  config["epsilon"] = options_.epsilon;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  return config;
}

Shape GroupNormalization::build_weights(const Shape& input_shape) {
  const auto rank = static_cast<int64_t>(input_shape.size()) + 1;
  const int64_t given = options_.axis;
  if (given < -rank || given >= rank || given == 0 || given == -rank) {
    throw Error(
        fmt::format("GroupNormalization \"{}\": expected an axis in [1, {}) or [{}, -1] for input {}, "
                    "received axis={}",
                    name(), rank, 1 - rank, format_batch_shape(input_shape), given));
  }
  channel_axis_ = given < 0 ? given + rank : given;
  const int64_t channels = input_shape[static_cast<size_t>(channel_axis_ - 1)];
  // As Keras: -1 becomes the number of channels, which the config then holds.
  if (options_.groups == -1) options_.groups = channels;
  const int64_t groups = options_.groups;
  if (channels < groups) {
    throw Error(
        fmt::format("GroupNormalization \"{}\": expected at most {} groups (the channels of axis {} of input "
                    "{}), received groups={}",
                    name(), channels, given, format_batch_shape(input_shape), groups));
  }
  if (channels % groups != 0) {
    throw Error(
        fmt::format("GroupNormalization \"{}\": expected groups dividing the {} channels of axis {} of input "
                    "{}, received groups={}",
                    name(), channels, given, format_batch_shape(input_shape), groups));
  }
  // The grouped inputs: the channel axis split into (groups, channels / groups).
  grouped_ = {-1};
  grouped_.insert(grouped_.end(), input_shape.begin(), input_shape.end());
  grouped_[static_cast<size_t>(channel_axis_)] = channels / groups;
  grouped_.insert(grouped_.begin() + channel_axis_, groups);
  reduced_.clear();
  for (int64_t axis = 1; axis <= rank; ++axis) {
    if (axis != channel_axis_) reduced_.push_back(axis);
  }
  broadcast_.assign(static_cast<size_t>(rank), 1);  // the grouped rank without the batch axis
  broadcast_[static_cast<size_t>(channel_axis_ - 1)] = groups;
  broadcast_[static_cast<size_t>(channel_axis_)] = channels / groups;
  const torch::TensorOptions options = initializer_options();
  if (options_.scale) gamma_ = add_weight("gamma", torch::ones({channels}, options));
  if (options_.center) beta_ = add_weight("beta", torch::zeros({channels}, options));
  return input_shape;
}

torch::Tensor GroupNormalization::call(const torch::Tensor& inputs, bool /*training*/) {
  const torch::Tensor grouped = inputs.reshape(grouped_);
  // Keras's moments (the variance as E[x^2] - E[x]^2), then x * inv + (beta - mean * inv).
  const torch::Tensor mean = grouped.mean(reduced_, /*keepdim=*/true);
  const torch::Tensor variance = grouped.square().mean(reduced_, /*keepdim=*/true) - mean.square();
  torch::Tensor inv = torch::rsqrt(variance + options_.epsilon);
  if (gamma_.defined()) inv = inv * gamma_.reshape(broadcast_);
  torch::Tensor shift = -mean * inv;
  if (beta_.defined()) shift = shift + beta_.reshape(broadcast_);
  return (grouped * inv + shift).reshape(inputs.sizes());
}

io::onnx::Value GroupNormalization::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& layer = name();
  const std::vector<Attribute> reduce = {Attribute::of("axes", reduced_), Attribute::of("keepdims", int64_t{1})};
  const std::string grouped = graph.op("Reshape", {inputs.name, graph.ints(grouped_, layer + "/groups")}, {}, layer);
  const std::string mean = graph.op("ReduceMean", {grouped}, reduce, layer);
  const std::string centered = graph.op("Sub", {grouped, mean}, {}, layer);
  const std::string variance =
      graph.op("ReduceMean", {graph.op("Mul", {centered, centered}, {}, layer)}, reduce, layer);
  const std::string epsilon = graph.constant(torch::tensor(static_cast<float>(options_.epsilon)), layer + "/epsilon");
  const std::string deviation = graph.op("Sqrt", {graph.op("Add", {variance, epsilon}, {}, layer)}, {}, layer);
  std::string out = graph.op("Div", {centered, deviation}, {}, layer);
  const auto broadcast = [&](const std::string& weight) {
    return onnx_export::weight(*this, weight).reshape(broadcast_);
  };
  if (gamma_.defined()) out = graph.op("Mul", {out, graph.constant(broadcast("gamma"), layer + "/gamma")}, {}, layer);
  if (beta_.defined()) out = graph.op("Add", {out, graph.constant(broadcast("beta"), layer + "/beta")}, {}, layer);
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), inputs.shape.begin(), inputs.shape.end());
  return onnx_export::output(*this, inputs, graph.op("Reshape", {out, graph.ints(shape, layer + "/shape")}, {}, layer));
}

}  // namespace tkeras::layers
