// Operation: Keras's ops.numpy arithmetic classes as graph nodes, and KerasTensor's operators.
#include "tkeras/layers/operation.h"

#include <algorithm>
#include <map>
#include <typeindex>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "io/onnx_graph.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

// Keras's class, its snake_case name, LibTorch's op and ONNX's operator.
struct Kind {
  const char* snake;
  const char* onnx;
  torch::Tensor (*apply)(const torch::Tensor&, const torch::Tensor&);
};

const std::map<std::string, Kind, std::less<>>& kinds() {
  static const std::map<std::string, Kind, std::less<>> table = {
      {"numpy.Add", {"add", "Add", [](const torch::Tensor& a, const torch::Tensor& b) { return a + b; }}},
      {"numpy.Subtract", {"subtract", "Sub", [](const torch::Tensor& a, const torch::Tensor& b) { return a - b; }}},
      {"numpy.Multiply", {"multiply", "Mul", [](const torch::Tensor& a, const torch::Tensor& b) { return a * b; }}},
      {"numpy.Divide", {"divide", "Div", [](const torch::Tensor& a, const torch::Tensor& b) { return a / b; }}},
  };
  return table;
}

const Kind& kind_of(std::string_view kind) {
  const auto found = kinds().find(kind);
  if (found == kinds().end()) {
    std::vector<std::string> known;
    for (const auto& [name, entry] : kinds()) known.push_back(name);
    throw Error(fmt::format("Operation: expected one of {}, received \"{}\"", fmt::join(known, ", "), kind));
  }
  return found->second;
}

// One per Keras class, under "numpy.<class>": the loader reads an ops.numpy entry by that name.
const bool registered = [] {
  for (const auto& [name, entry] : kinds()) {
    registry::add({.name = name,
                   .from_config = [kind = name](const Config& config, const CustomObjects&) -> std::shared_ptr<Layer> {
                     return Operation::from_config(kind, config);
                   },
                   .from_keras = {}});
  }
  registry::add_copy(typeid(Operation), [](const Layer& layer) -> std::shared_ptr<Layer> {
    return std::make_shared<Operation>(static_cast<const Operation&>(layer));
  });
  return true;
}();

// The operands: x1 and x2, each an input (by its role) or a number among the arguments.
std::pair<torch::Tensor, torch::Tensor> operands(const Node& node, const std::vector<torch::Tensor>& inputs) {
  const Config& names = node.arguments.at("inputs");
  torch::Tensor x1, x2;
  for (size_t i = 0; i < names.size(); ++i) (names[i] == "x1" ? x1 : x2) = inputs[i];
  const torch::Tensor& some = x1.defined() ? x1 : x2;
  const auto constant = [&](const char* role) {
    return torch::full({}, node.arguments.at(role).get<double>(), some.options());
  };
  if (!x1.defined()) x1 = constant("x1");
  if (!x2.defined()) x2 = constant("x2");
  return {x1, x2};
}

}  // namespace

Operation::Operation(std::string kind) : Layer(kind_of(kind).snake), kind_(std::move(kind)) {}

std::string Operation::class_name() const { return kind_.substr(kind_.find('.') + 1); }

std::shared_ptr<Operation> Operation::from_config(const std::string& kind, const Config& config) {
  return configured(std::make_shared<Operation>(kind), config);
}

Config Operation::get_config() const { return {{"name", name()}}; }

Config Operation::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  return keras_format::entry(*this, get_config(), "keras.src.ops.numpy");
}

Layer::CallSignature Operation::call_signature() const {
  return {.tensors = {"x1", "x2"}, .positional = 2, .keywords = {}};
}

KerasTensor Operation::apply(const std::string& kind, const KerasTensor& x1, const KerasTensor& x2) {
  auto operation = std::make_shared<Operation>(kind);
  CallOptions options;
  options.arguments = {{"inputs", Config::array({"x1", "x2"})}};
  return operation->call_symbolic(KerasTensors({x1, x2}), /*list=*/true, options).front();
}

KerasTensor Operation::apply(const std::string& kind, const KerasTensor& x, double number, bool number_first) {
  auto operation = std::make_shared<Operation>(kind);
  CallOptions options;
  options.arguments = {{"inputs", Config::array({number_first ? "x2" : "x1"})}, {number_first ? "x1" : "x2", number}};
  return operation->call_symbolic(KerasTensors(std::vector<KerasTensor>{x}), /*list=*/true, options).front();
}

Shape Operation::build_weights(const Shape& input_shape) { return input_shape; }

Shape Operation::build_list_weights(const std::vector<Shape>& input_shapes) { return input_shapes.front(); }

// The operands' shapes broadcast from the right, as NumPy's (the batch axis apart).
std::vector<Shape> Operation::build_call(const std::vector<Shape>& input_shapes, bool /*list*/,
                                         const Config& /*arguments*/) {
  Shape out;
  for (const Shape& shape : input_shapes) {
    const size_t rank = std::max(out.size(), shape.size());
    Shape merged(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      const int64_t a = i < out.size() ? out[out.size() - 1 - i] : 1;
      const int64_t b = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
      if (a != b && a != 1 && b != 1) {
        throw Error(fmt::format("{} \"{}\": the operands' shapes do not broadcast: (None, {}) and (None, {})", kind_,
                                name(), fmt::join(input_shapes.front(), ", "), fmt::join(shape, ", ")));
      }
      merged[rank - 1 - i] = a == 1 ? b : a;
    }
    out = std::move(merged);
  }
  build_list(input_shapes, detail::SymbolicBuildDevice::current());
  return {out};
}

torch::Tensor Operation::call(const torch::Tensor& /*inputs*/, bool /*training*/) {
  throw Error(fmt::format("{} \"{}\": expected two operands", kind_, name()));
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Operation::call_node(const Node& node,
                                                                          const std::vector<torch::Tensor>& inputs,
                                                                          const std::vector<torch::Tensor>& /*masks*/,
                                                                          bool /*training*/) {
  const auto [x1, x2] = operands(node, inputs);
  return {{kind_of(kind_).apply(x1, x2), torch::Tensor()}};
}

io::onnx::Value Operation::to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                                        const std::vector<io::onnx::Value>& inputs) const {
  const Config& names = node.arguments.at("inputs");
  std::string x1, x2;
  for (size_t i = 0; i < names.size(); ++i) (names[i] == "x1" ? x1 : x2) = inputs[i].name;
  const auto constant = [&](const char* role) {
    return graph.constant(torch::tensor(static_cast<float>(node.arguments.at(role).get<double>())),
                          name() + "/" + role);
  };
  if (x1.empty()) x1 = constant("x1");
  if (x2.empty()) x2 = constant("x2");
  return {.name = graph.op(kind_of(kind_).onnx, {x1, x2}, {}, name()), .shape = node.output_shapes.front()};
}

}  // namespace tkeras::layers

namespace tkeras {

KerasTensor operator+(const KerasTensor& x, const KerasTensor& y) {
  return layers::Operation::apply("numpy.Add", x, y);
}
KerasTensor operator-(const KerasTensor& x, const KerasTensor& y) {
  return layers::Operation::apply("numpy.Subtract", x, y);
}
KerasTensor operator*(const KerasTensor& x, const KerasTensor& y) {
  return layers::Operation::apply("numpy.Multiply", x, y);
}
KerasTensor operator/(const KerasTensor& x, const KerasTensor& y) {
  return layers::Operation::apply("numpy.Divide", x, y);
}
KerasTensor operator+(const KerasTensor& x, double number) {
  return layers::Operation::apply("numpy.Add", x, number, false);
}
KerasTensor operator*(const KerasTensor& x, double number) {
  return layers::Operation::apply("numpy.Multiply", x, number, false);
}

}  // namespace tkeras
