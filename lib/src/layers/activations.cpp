// The activation functions known by name.
#include "tkeras/layers/activations.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::activations {
namespace {

torch::Tensor linear(const torch::Tensor& x) { return x; }
torch::Tensor relu(const torch::Tensor& x) { return torch::relu(x); }
torch::Tensor sigmoid(const torch::Tensor& x) { return torch::sigmoid(x); }
torch::Tensor softmax(const torch::Tensor& x) { return torch::softmax(x, -1); }
torch::Tensor tanh(const torch::Tensor& x) { return torch::tanh(x); }

struct Entry {
  std::string_view name;
  Function function;
};
constexpr Entry kActivations[] = {
    {"linear", linear}, {"relu", relu}, {"sigmoid", sigmoid}, {"softmax", softmax}, {"tanh", tanh}};

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
