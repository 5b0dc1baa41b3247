// Add: the sum, folded from the first input as Keras's `ops.add` loop.
#include "tkeras/layers/add.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Add::Add(MergeOptions options) : Merge("add", std::move(options.name)) {}

const registry::Registrar<Add> add_registration("Add");

std::shared_ptr<Add> Add::from_config(const Config& config) { return configured(std::make_shared<Add>(), config); }

torch::Tensor Add::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor output = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const torch::Tensor& input = inputs[i];
    output = output + input;
  }
  return output;
}

std::string Add::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  return fold_onnx(graph, "Add", inputs);
}

}  // namespace tkeras::layers
