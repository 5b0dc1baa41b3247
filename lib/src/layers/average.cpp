// Average: the sum, folded from the first input, divided by the number of inputs, as Keras's.
#include "tkeras/layers/average.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Average::Average(MergeOptions options) : Merge("average", std::move(options.name)) {}

const registry::Registrar<Average> average_registration("Average");

std::shared_ptr<Average> Average::from_config(const Config& config) {
  return configured(std::make_shared<Average>(), config);
}

torch::Tensor Average::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor sum = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) sum = sum + inputs[i];
  // A division, not a product with 1 / n, as Keras's `output / len(inputs)`: the same rounding.
  return sum / static_cast<double>(inputs.size());
}

std::string Average::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  std::string sum = inputs.front().name;
  for (size_t i = 1; i < inputs.size(); ++i) sum = graph.op("Add", {sum, inputs[i].name}, {}, name());
  const std::string count = graph.constant(torch::tensor(static_cast<float>(inputs.size())), name() + "/count");
  return graph.op("Div", {sum, count}, {}, name());
}

}  // namespace tkeras::layers
