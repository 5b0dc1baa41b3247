// The Layer base: names, building once, weights as the module's parameters and buffers, trainable.
#include "tkeras/layers/layer.h"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "core/unique_name.h"
#include "io/onnx_graph.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace detail {

void restore_identity(Layer& layer, const Config& config) {
  const ConfigReader read(config);
  if (read.has("name")) {
    const std::string name = read.string("name", "");
    if (name.empty() || name.size() > 256) {
      throw Error(
          fmt::format("expected \"name\" as a string of 1 to 256 characters, received {}", config.at("name").dump()));
    }
    layer.name_ = name;
  }
  // Only a change: a model's `trainable: true` must not unfreeze the layers inside it that their
  // own configs froze.
  const bool trainable = read.boolean("trainable", true);
  if (trainable != layer.trainable()) layer.set_trainable(trainable);
  // Keras's base Layer option: on any layer.
  if (read.has("activity_regularizer")) {
    try {
      layer.activity_regularizer_ = regularizers::deserialize(config.at("activity_regularizer"));
    } catch (const Error& error) {
      throw Error(fmt::format("activity_regularizer: {}", error.what()));
    }
  }
}

}  // namespace detail

Layer::Layer(std::string_view base_name, std::string name)
    : base_name_(base_name), name_(name.empty() ? unique_name(base_name) : std::move(name)) {}

Layer::~Layer() = default;

const Shape& Layer::input_shape() const {
  if (!built_) throw Error(fmt::format("{} \"{}\": input_shape is unknown until it is built", class_name(), name_));
  return input_shape_;
}

const Shape& Layer::output_shape() const {
  if (!built_) throw Error(fmt::format("{} \"{}\": output_shape is unknown until it is built", class_name(), name_));
  return output_shape_;
}

Shape Layer::build(const Shape& input_shape, std::optional<torch::Device> device) {
  if (built_) {
    if (input_shape != input_shape_) {
      throw Error(fmt::format("{} \"{}\": built for input shape {}, received input shape {}", class_name(), name_,
                              format_batch_shape(input_shape_), format_batch_shape(input_shape)));
    }
    return output_shape_;
  }
  for (int64_t size : input_shape) {
    if (size <= 0) {
      throw Error(fmt::format("{} \"{}\": expected an input shape of positive sizes, received {}", class_name(), name_,
                              format_batch_shape(input_shape)));
    }
  }
  build_device_ = device.value_or(default_build_device());
  output_shape_ = build_weights(input_shape);
  input_shape_ = input_shape;
  input_shapes_ = {input_shape};
  built_ = true;
  return output_shape_;
}

void Layer::collect(const std::string& prefix, bool parent_trainable, std::vector<Weight>& out) const {
  const bool trainable = parent_trainable && trainable_;
  for (const OwnWeight& weight : own_weights_) {
    if (!weight.listed) continue;
    out.push_back({.name = prefix + weight.name,
                   .value = weight.value,
                   .trainable = trainable && weight.trainable_variable && weight.value.requires_grad(),
                   .regularizer = weight.regularizer,
                   .constraint = weight.constraint});
  }
  for (const auto& layer : sublayers_) layer->collect(prefix + layer->name() + "/", trainable, out);
}

void Layer::collect_named(const std::string& prefix, std::vector<std::pair<std::string, torch::Tensor>>& out) const {
  for (const OwnWeight& weight : own_weights_) out.emplace_back(prefix + weight.name, weight.value);
  for (size_t i = 0; i < sublayers_.size(); ++i) sublayers_[i]->collect_named(prefix + sublayer_names_[i] + ".", out);
}

std::vector<std::pair<std::string, torch::Tensor>> Layer::named_weights() const {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  collect_named("", named);
  return named;
}

std::vector<Weight> Layer::weights() const {
  std::vector<Weight> all;
  collect("", true, all);
  return all;
}

std::vector<torch::Tensor> Layer::trainable_weights() const {
  std::vector<torch::Tensor> result;
  for (const Weight& weight : weights()) {
    if (weight.trainable) result.push_back(weight.value);
  }
  return result;
}

std::vector<torch::Tensor> Layer::non_trainable_weights() const {
  std::vector<torch::Tensor> result;
  for (const Weight& weight : weights()) {
    if (!weight.trainable) result.push_back(weight.value);
  }
  return result;
}

std::vector<torch::Tensor> Layer::get_weights() const {
  std::vector<torch::Tensor> values;
  for (const Weight& weight : weights()) values.push_back(weight.value.detach().clone(at::MemoryFormat::Contiguous));
  return values;
}

void Layer::set_weights(const std::vector<torch::Tensor>& values) {
  const std::vector<Weight> all = weights();
  if (values.size() != all.size()) {
    throw Error(fmt::format("{} \"{}\": set_weights expected {} tensors, received {}", class_name(), name_, all.size(),
                            values.size()));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    if (!values[i].defined() || values[i].sizes() != all[i].value.sizes()) {
      throw Error(fmt::format("{} \"{}\": set_weights expected {} of shape {}, received {}", class_name(), name_,
                              all[i].name, format_shape(all[i].value.sizes().vec()),
                              values[i].defined() ? format_shape(values[i].sizes().vec()) : "an undefined tensor"));
    }
  }
  const torch::NoGradGuard no_grad;
  for (size_t i = 0; i < all.size(); ++i) all[i].value.copy_(values[i]);
}

int64_t Layer::count_params() const {
  int64_t count = 0;
  for (const Weight& weight : weights()) count += weight.value.numel();
  return count;
}

void Layer::set_trainable(bool trainable) {
  trainable_ = trainable;
  for (OwnWeight& weight : own_weights_) {
    if (weight.trainable_variable) weight.value.requires_grad_(trainable);
  }
  for (const auto& layer : sublayers_) layer->set_trainable(trainable);
}

torch::Tensor Layer::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& /*mask*/, bool training) {
  return call(inputs, training);
}

torch::Tensor Layer::compute_mask(const torch::Tensor& /*inputs*/, const torch::Tensor& mask) const {
  return supports_masking() ? mask : torch::Tensor();
}

std::pair<torch::Tensor, torch::Tensor> Layer::call_and_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                             bool training) {
  torch::Tensor outputs = mask.defined() ? call_with_mask(inputs, mask, training) : call(inputs, training);
  return {std::move(outputs), compute_mask(inputs, mask)};
}

Config Layer::get_config() const {
  Config config = {{"name", name_}, {"trainable", trainable_}};
  // As Keras's: written only when there is one.
  if (activity_regularizer_) config["activity_regularizer"] = regularizers::serialize(*activity_regularizer_);
  return config;
}

Config Layer::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  return keras_format::entry(*this, get_config());
}

KerasWeightsPlace Layer::keras_weights_place() const { return {.vars = "vars", .vars_name = name_, .sublayers = ""}; }

io::onnx::Value Layer::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& /*inputs*/) const {
  onnx_export::refuse(*this, "tkeras has no ONNX mapping for this layer class");
}

io::onnx::Value Layer::to_onnx_list(io::onnx::GraphBuilder& /*graph*/,
                                    const std::vector<io::onnx::Value>& /*inputs*/) const {
  throw Error(fmt::format("export_onnx: {} \"{}\" has no ONNX mapping for a list of inputs", class_name(), name_));
}

io::onnx::Value Layer::to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                                    const std::vector<io::onnx::Value>& inputs) const {
  return node.list ? to_onnx_list(graph, inputs) : to_onnx(graph, inputs.front());
}

void Layer::pretty_print(std::ostream& stream) const {
  Config config = get_config();
  config.erase("name");
  stream << class_name() << "(name=" << name_;
  for (const auto& [key, value] : config.items()) {
    if (value.is_null()) continue;
    stream << ", " << key << "=";
    // A Keras object (an initializer, a regularizer): its class and the options it was given.
    if (value.is_object() && value.contains("class_name") && value.contains("config") && value["config"].is_object()) {
      stream << value["class_name"].get<std::string>();
      std::vector<std::string> options;
      for (const auto& [option, setting] : value["config"].items()) {
        if (!setting.is_null()) options.push_back(option + "=" + setting.dump());
      }
      if (!options.empty()) stream << "(" << fmt::format("{}", fmt::join(options, ", ")) << ")";
    } else {
      stream << value.dump();
    }
  }
  stream << ")";
}

torch::Tensor Layer::add_weight(const std::string& name, torch::Tensor initial_value, bool trainable,
                                std::shared_ptr<const regularizers::Regularizer> regularizer,
                                std::shared_ptr<const constraints::Constraint> constraint) {
  torch::Tensor value =
      initial_value.device() == build_device_ ? std::move(initial_value) : initial_value.to(build_device_);
  value = value.detach();
  if (trainable) {
    value = register_parameter(name, value, /*requires_grad=*/trainable_);
  } else {
    value = register_buffer(name, value);
  }
  own_weights_.push_back({.name = name,
                          .value = value,
                          .trainable_variable = trainable,
                          .listed = true,
                          .regularizer = std::move(regularizer),
                          .constraint = std::move(constraint)});
  return value;
}

torch::Tensor Layer::add_weight(const std::string& name, const Shape& shape, const WeightOptions& options,
                                bool trainable) {
  return add_weight(name, initial_value(options.initializer, shape), trainable, regularizers::get(options.regularizer),
                    constraints::get(options.constraint));
}

void Layer::track_weight(std::string name, torch::Tensor value, bool trainable, bool listed) {
  own_weights_.push_back({std::move(name), std::move(value), trainable, listed});
}

void Layer::add_sublayer(const std::string& name, std::shared_ptr<Layer> layer) {
  register_module(name, layer);
  sublayers_.push_back(std::move(layer));
  sublayer_names_.push_back(name);
}

}  // namespace tkeras::layers
