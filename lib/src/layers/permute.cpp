// Permute: LibTorch's permute with the batch axis kept first.
#include "tkeras/layers/permute.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

// {0, dims...}: the order of the full axes, batch first.
std::vector<int64_t> full_order(const std::vector<int64_t>& dims) {
  std::vector<int64_t> order = {0};
  order.insert(order.end(), dims.begin(), dims.end());
  return order;
}

}  // namespace

Permute::Permute(std::vector<int64_t> dims) : Layer("permute"), dims_(std::move(dims)) {
  std::vector<int64_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(dims_.size());
  std::iota(expected.begin(), expected.end(), 1);
  if (dims_.empty() || sorted != expected) {
    throw Error(
        fmt::format("Permute: expected dims holding each of 1 to {} once (the axes after the batch, "
                    "counted from 1), received [{}]",
                    std::max<size_t>(dims_.size(), 1), fmt::join(dims_, ", ")));
  }
}

const registry::Registrar<Permute> permute_registration("Permute");

std::shared_ptr<Permute> Permute::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& dims = read.at("dims");
  const bool valid =
      dims.is_array() && std::all_of(dims.begin(), dims.end(), [](const Config& d) { return d.is_number_integer(); });
  if (!valid) throw Error(fmt::format("Permute: expected \"dims\" as a list of integers, received {}", dims.dump()));
  return configured(std::make_shared<Permute>(dims.get<std::vector<int64_t>>()), config);
}

Config Permute::get_config() const {
  Config config = Layer::get_config();
  config["dims"] = dims_;
  return config;
}

Shape Permute::build_weights(const Shape& input_shape) {
  if (input_shape.size() != dims_.size()) {
    throw Error(fmt::format("Permute \"{}\": expected input of rank {} (dims [{}] and the batch), received {}", name(),
                            dims_.size() + 1, fmt::join(dims_, ", "), format_batch_shape(input_shape)));
  }
  Shape output;
  for (int64_t d : dims_) output.push_back(input_shape[static_cast<size_t>(d - 1)]);
  return output;
}

torch::Tensor Permute::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.permute(full_order(dims_));
}

io::onnx::Value Permute::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::output(
      *this, inputs,
      graph.op("Transpose", {inputs.name}, {io::onnx::Attribute::of("perm", full_order(dims_))}, name()));
}

}  // namespace tkeras::layers
