// Symbolic tensors and layer calls on them: KerasTensor, Input, and the Layer's symbolic call.
#include "tkeras/layers/keras_tensor.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/layer.h"

namespace tkeras {

KerasTensor::KerasTensor(std::shared_ptr<const layers::Node> node, int tensor_index)
    : node_(std::move(node)), tensor_index_(tensor_index) {
  if (!node_ || tensor_index_ < 0 || tensor_index_ >= static_cast<int>(node_->output_shapes.size())) {
    throw Error("KerasTensor: expected an output of a layer call, received none");
  }
}

const Shape& KerasTensor::shape() const { return node_->output_shapes[static_cast<size_t>(tensor_index_)]; }
const std::string& KerasTensor::dtype() const { return node_->output_dtypes[static_cast<size_t>(tensor_index_)]; }
const std::shared_ptr<layers::Layer>& KerasTensor::layer() const { return node_->layer; }
int KerasTensor::node_index() const { return node_->index; }

KerasTensor Input(const Shape& shape, const InputOptions& options) {
  auto layer = std::make_shared<layers::Input>(shape, options);
  return KerasTensor(layers::Input::input_node(layer), 0);
}

namespace layers {
namespace {

std::string shapes_label(const std::vector<Shape>& shapes) {
  std::vector<std::string> labels;
  labels.reserve(shapes.size());
  for (const Shape& shape : shapes) labels.push_back(format_batch_shape(shape));
  return shapes.size() == 1 ? labels.front() : fmt::format("[{}]", fmt::join(labels, ", "));
}

}  // namespace

std::shared_ptr<Layer> Layer::graph_layer() {
  if (auto self = std::dynamic_pointer_cast<Layer>(weak_from_this().lock())) return self;
  if (calls_.graph_copy) return calls_.graph_copy;
  calls_.graph_copy = registry::copy(*this);
  if (!calls_.graph_copy) {
    throw Error(fmt::format(
        "{} \"{}\": a layer of this class is called on symbolic tensors through a std::shared_ptr, as the graph "
        "holds it: auto layer = std::make_shared<{}>(...); (*layer)(x)",
        class_name(), name_, class_name()));
  }
  return calls_.graph_copy;
}

void Layer::check_arguments(const KerasTensors& inputs, bool list, const Config& arguments) const {
  const CallSignature signature = call_signature();
  if (!arguments.is_object()) {
    throw Error(fmt::format("{} \"{}\": expected the call's arguments as an object, received {}", class_name(), name_,
                            arguments.dump().substr(0, 120)));
  }
  for (const auto& [key, value] : arguments.items()) {
    if (key == "inputs" && !signature.tensors.empty()) continue;
    // A number in place of a tensor argument (`x + 1`).
    if (value.is_number() && std::ranges::find(signature.tensors, key) != signature.tensors.end()) continue;
    if (std::ranges::find(signature.keywords, key) == signature.keywords.end()) {
      throw Error(fmt::format("{} \"{}\": takes no call argument \"{}\"", class_name(), name_, key));
    }
  }
  if (signature.tensors.empty()) return;
  const auto names = arguments.find("inputs");
  if (!list || names == arguments.end() || !names->is_array() || names->size() != inputs.size()) {
    throw Error(fmt::format("{} \"{}\": expected its tensor arguments named ({}), one name per input", class_name(),
                            name_, fmt::join(signature.tensors, ", ")));
  }
  for (const Config& name : *names) {
    if (!name.is_string() || std::ranges::find(signature.tensors, name.get<std::string>()) == signature.tensors.end()) {
      throw Error(fmt::format("{} \"{}\": expected a tensor argument among ({}), received {}", class_name(), name_,
                              fmt::join(signature.tensors, ", "), name.dump()));
    }
  }
}

std::vector<KerasTensor> Layer::call_symbolic(const KerasTensors& inputs, bool list, const CallOptions& options) {
  if (inputs.empty()) {
    throw Error(
        fmt::format("{} \"{}\": expected a symbolic tensor or a list of them, received none", class_name(), name_));
  }
  if (list && !takes_list()) {
    throw Error(
        fmt::format("{} \"{}\": expected one tensor, received a list of {}; only merge layers (Add, "
                    "Concatenate...) and models of several inputs take lists",
                    class_name(), name_, inputs.size()));
  }
  if (!list && takes_list()) {
    throw Error(fmt::format("{} \"{}\": expected a list of tensors (layer({{x, y}})), received one of shape {}",
                            class_name(), name_, format_batch_shape(inputs.front().shape())));
  }
  check_arguments(inputs, list, options.arguments);
  std::shared_ptr<Layer> self = graph_layer();
  std::vector<Shape> shapes;
  shapes.reserve(inputs.size());
  for (const KerasTensor& input : inputs) shapes.push_back(input.shape());
  std::vector<Shape> output_shapes;
  try {
    output_shapes = self->build_call(shapes, list, options.arguments);
  } catch (const Error& error) {
    const std::string message = error.what();
    const std::string label = fmt::format("{} \"{}\"", class_name(), name_);
    // Say which call: the layer and the shapes it was called on, unless the message does already.
    if (message.find(label) != std::string::npos && message.find("received") != std::string::npos) throw;
    throw Error(fmt::format("{}: called on {}: {}", label, shapes_label(shapes), message));
  }
  auto node = std::make_shared<Node>();
  node->layer = self;
  node->inputs.assign(inputs.begin(), inputs.end());
  node->list = list;
  node->training = options.training;
  node->arguments = options.arguments;
  node->output_shapes = output_shapes;
  node->output_dtypes.assign(output_shapes.size(), "float32");
  self->record_call(node);
  for (const KerasTensor& input : inputs) ++input.node()->readers;
  std::vector<KerasTensor> outputs;
  outputs.reserve(output_shapes.size());
  for (size_t i = 0; i < output_shapes.size(); ++i) outputs.emplace_back(node, static_cast<int>(i));
  return outputs;
}

KerasTensor Layer::operator()(const KerasTensor& input, const CallOptions& options) {
  std::vector<KerasTensor> outputs = call_symbolic(KerasTensors(input), /*list=*/false, options);
  if (outputs.size() != 1) {
    throw Error(fmt::format("{} \"{}\": has {} outputs; take them all with call_symbolic", class_name(), name_,
                            outputs.size()));
  }
  return outputs.front();
}

KerasTensor Layer::operator()(const KerasTensors& inputs, const CallOptions& options) {
  std::vector<KerasTensor> outputs = call_symbolic(inputs, /*list=*/!inputs.single(), options);
  if (outputs.size() != 1) {
    throw Error(fmt::format("{} \"{}\": has {} outputs; take them all with call_symbolic", class_name(), name_,
                            outputs.size()));
  }
  return outputs.front();
}

void Layer::set_name(std::string name) {
  if (name.empty() || name.size() > 256 || name.find('/') != std::string::npos) {
    throw Error(fmt::format("{} \"{}\": expected a name of 1 to 256 characters without '/', received \"{}\"",
                            class_name(), name_, name));
  }
  if (!called().calls_.nodes.empty()) {
    throw Error(fmt::format("{} \"{}\": cannot be renamed \"{}\" after it was called on symbolic tensors", class_name(),
                            name_, name));
  }
  name_ = std::move(name);
}

std::shared_ptr<const Node> Layer::record_call(std::shared_ptr<Node> node) {
  node->index = static_cast<int>(calls_.nodes.size());
  calls_.nodes.push_back(node);
  return node;
}

std::vector<std::shared_ptr<const Node>> Layer::inbound_nodes() const {
  std::vector<std::shared_ptr<const Node>> nodes;
  for (const auto& node : called().calls_.nodes) {
    if (auto alive = node.lock()) nodes.push_back(std::move(alive));
  }
  return nodes;
}

KerasTensor Layer::output() const {
  const auto nodes = inbound_nodes();
  if (nodes.empty()) {
    throw Error(fmt::format("{} \"{}\": has no output: it was never called on symbolic tensors (tkeras::Input)",
                            class_name(), name_));
  }
  if (nodes.front()->output_shapes.size() != 1) {
    throw Error(fmt::format("{} \"{}\": has {} outputs; take them from the model's outputs()", class_name(), name_,
                            nodes.front()->output_shapes.size()));
  }
  return KerasTensor(nodes.front(), 0);
}

KerasTensor Layer::input() const {
  const auto nodes = inbound_nodes();
  if (nodes.empty()) {
    throw Error(fmt::format("{} \"{}\": has no input: it was never called on symbolic tensors (tkeras::Input)",
                            class_name(), name_));
  }
  if (nodes.front()->is_input()) return KerasTensor(nodes.front(), 0);
  if (nodes.front()->inputs.size() != 1) {
    throw Error(fmt::format("{} \"{}\": was called on a list of {} tensors; read them from its inbound_nodes()",
                            class_name(), name_, nodes.front()->inputs.size()));
  }
  return nodes.front()->inputs.front();
}

namespace detail {
namespace {
thread_local std::optional<torch::Device> symbolic_build_device;
}  // namespace

SymbolicBuildDevice::SymbolicBuildDevice(torch::Device device) : previous_(symbolic_build_device) {
  symbolic_build_device = device;
}
SymbolicBuildDevice::~SymbolicBuildDevice() { symbolic_build_device = previous_; }
std::optional<torch::Device> SymbolicBuildDevice::current() { return symbolic_build_device; }
}  // namespace detail

std::vector<Shape> Layer::build_call(const std::vector<Shape>& input_shapes, bool list, const Config& /*arguments*/) {
  const std::optional<torch::Device> device = detail::SymbolicBuildDevice::current();
  return {list ? build_list(input_shapes, device) : build(input_shapes.front(), device)};
}

Shape Layer::build_list(const std::vector<Shape>& input_shapes, std::optional<torch::Device> device) {
  if (built_) {
    if (input_shapes != input_shapes_) {
      throw Error(fmt::format("{} \"{}\": built for input shapes {}, received input shapes {}", class_name(), name_,
                              shapes_label(input_shapes_), shapes_label(input_shapes)));
    }
    return output_shape_;
  }
  for (const Shape& shape : input_shapes) {
    for (int64_t size : shape) {
      if (size <= 0) {
        throw Error(fmt::format("{} \"{}\": expected input shapes of positive sizes, received {}", class_name(), name_,
                                shapes_label(input_shapes)));
      }
    }
  }
  if (input_shapes.empty())
    throw Error(fmt::format("{} \"{}\": expected input shapes, received none", class_name(), name_));
  build_device_ = device.value_or(default_build_device());
  output_shape_ = build_list_weights(input_shapes);
  input_shapes_ = input_shapes;
  input_shape_ = input_shapes.front();
  built_ = true;
  return output_shape_;
}

const std::vector<Shape>& Layer::input_shapes() const {
  if (!built_) throw Error(fmt::format("{} \"{}\": input_shapes is unknown until it is built", class_name(), name_));
  return input_shapes_;
}

Shape Layer::build_list_weights(const std::vector<Shape>& input_shapes) {
  throw Error(
      fmt::format("{} \"{}\": expected one input, received a list of {}", class_name(), name_, input_shapes.size()));
}

torch::Tensor Layer::call_list(const std::vector<torch::Tensor>& inputs, bool /*training*/) {
  throw Error(fmt::format("{} \"{}\": expected one tensor, received a list of {}", class_name(), name_, inputs.size()));
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Layer::call_node(const Node& node,
                                                                      const std::vector<torch::Tensor>& inputs,
                                                                      const std::vector<torch::Tensor>& masks,
                                                                      bool training) {
  if (!node.list) return {call_and_mask(inputs.front(), masks.front(), training)};
  // A layer that takes a list and says nothing of masks ends them (the merges combine them).
  return {{call_list(inputs, training), torch::Tensor()}};
}

}  // namespace layers
}  // namespace tkeras
