// GraphBuilder: names, constants and operators of an ONNX graph.
#include "io/onnx_graph.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace tkeras::io::onnx {

std::string GraphBuilder::unique(const std::string& hint) {
  const int count = counts_[hint]++;
  return count == 0 ? hint : fmt::format("{}_{}", hint, count);
}

std::string GraphBuilder::constant(const torch::Tensor& value, const std::string& hint) {
  const torch::Tensor data = value.detach().to(torch::kCPU).contiguous();
  const bool integral = data.scalar_type() == torch::kLong;
  const torch::Tensor stored = integral ? data : data.to(torch::kFloat32).contiguous();
  Tensor tensor;
  tensor.name = unique(hint);
  tensor.dims = data.sizes().vec();
  tensor.data_type = integral ? DataType::kInt64 : DataType::kFloat;
  tensor.raw_data.assign(static_cast<const char*>(stored.data_ptr()), stored.numel() * stored.element_size());
  graph.initializers.push_back(std::move(tensor));
  return graph.initializers.back().name;
}

std::string GraphBuilder::ints(const std::vector<int64_t>& values, const std::string& hint) {
  return constant(torch::tensor(values, torch::kLong), hint);
}

std::vector<std::string> GraphBuilder::op(const std::string& type, std::vector<std::string> inputs,
                                          std::vector<Attribute> attributes, const std::string& hint, int outputs) {
  Node node;
  node.op_type = type;
  node.name = unique(hint + "/" + type);
  node.inputs = std::move(inputs);
  for (int i = 0; i < outputs; ++i)
    node.outputs.push_back(unique(fmt::format("{}/{}{}", hint, type, i == 0 ? "" : std::to_string(i))));
  node.attributes = std::move(attributes);
  graph.nodes.push_back(node);
  return node.outputs;
}

std::string GraphBuilder::op(const std::string& type, std::vector<std::string> inputs,
                             std::vector<Attribute> attributes, const std::string& hint) {
  return op(type, std::move(inputs), std::move(attributes), hint, 1).front();
}

std::string GraphBuilder::to_channels_first(const std::string& x, size_t rank, const std::string& hint) {
  return op("Transpose", {x},
            {Attribute::of("perm", rank == 3 ? std::vector<int64_t>{0, 2, 1} : std::vector<int64_t>{0, 3, 1, 2})},
            hint);
}

std::string GraphBuilder::to_channels_last(const std::string& x, size_t rank, const std::string& hint) {
  return op("Transpose", {x},
            {Attribute::of("perm", rank == 3 ? std::vector<int64_t>{0, 2, 1} : std::vector<int64_t>{0, 2, 3, 1})},
            hint);
}

std::string auto_pad(const std::string& padding) { return padding == "same" ? "SAME_UPPER" : "VALID"; }

}  // namespace tkeras::io::onnx
