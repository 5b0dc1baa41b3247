// The activation functions known by name.
#include "tkeras/layers/activations.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "tkeras/core/error.h"

namespace tkeras::activations {
namespace {

torch::Tensor linear(const torch::Tensor& x) { return x; }
torch::Tensor relu(const torch::Tensor& x) { return torch::relu(x); }
torch::Tensor sigmoid(const torch::Tensor& x) { return torch::sigmoid(x); }
torch::Tensor softmax(const torch::Tensor& x) { return torch::softmax(x, -1); }
torch::Tensor tanh(const torch::Tensor& x) { return torch::tanh(x); }

// Each activation by its Keras name, with its ONNX operator (none for linear, the identity).
struct Entry {
  std::string_view name;
  Function function;
  std::string_view onnx_operator;
};
constexpr Entry kActivations[] = {{"linear", linear, ""},
                                  {"relu", relu, "Relu"},
                                  {"sigmoid", sigmoid, "Sigmoid"},
                                  {"softmax", softmax, "Softmax"},
                                  {"tanh", tanh, "Tanh"}};

}  // namespace

const std::vector<std::string>& names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> result;
    for (const Entry& entry : kActivations) result.emplace_back(entry.name);
    return result;
  }();
  return all;
}

Function get(std::string_view name) {
  if (name.empty()) return linear;
  for (const Entry& entry : kActivations) {
    if (entry.name == name) return entry.function;
  }
  throw Error(fmt::format("unknown activation \"{}\"; expected one of: {}", name, fmt::join(names(), ", ")));
}

std::string canonical_name(std::string_view name) {
  get(name);
  return name.empty() ? "linear" : std::string(name);
}

}  // namespace tkeras::activations

namespace tkeras::layers::onnx_export {

std::string activation_operator(std::string_view name) {
  for (const auto& entry : activations::kActivations) {
    if (entry.name == name) return std::string(entry.onnx_operator);
  }
  return "";
}

Value activation(const Layer& layer, GraphBuilder& graph, Value x, const std::string& name) {
  if (name == "linear") return x;
  const std::string type = activation_operator(name);
  if (type.empty()) refuse(layer, fmt::format("activation \"{}\" has no ONNX operator here", name));
  std::vector<Attribute> attributes;
  if (name == "softmax") attributes.push_back(Attribute::of("axis", int64_t{-1}));  // Keras's: the last axis
  x.name = graph.op(type, {x.name}, attributes, layer.name());
  return x;
}

}  // namespace tkeras::layers::onnx_export
