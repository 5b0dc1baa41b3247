// Subtract: the first input minus the second.
#include "tkeras/layers/subtract.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Subtract::Subtract(MergeOptions options) : Merge("subtract", std::move(options.name)) {}

const registry::Registrar<Subtract> subtract_registration("Subtract");

std::shared_ptr<Subtract> Subtract::from_config(const Config& config) {
  return configured(std::make_shared<Subtract>(), config);
}

torch::Tensor Subtract::merge(const std::vector<torch::Tensor>& inputs) const { return inputs[0] - inputs[1]; }

std::string Subtract::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  return fold_onnx(graph, "Sub", inputs);
}

}  // namespace tkeras::layers
