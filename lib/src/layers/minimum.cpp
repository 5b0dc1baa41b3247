// Minimum: the minimum, folded from the first input as Keras's `ops.minimum` loop.
#include "tkeras/layers/minimum.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Minimum::Minimum(MergeOptions options) : Merge("minimum", std::move(options.name)) {}

const registry::Registrar<Minimum> minimum_registration("Minimum");

std::shared_ptr<Minimum> Minimum::from_config(const Config& config) {
  return configured(std::make_shared<Minimum>(), config);
}

torch::Tensor Minimum::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor output = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const torch::Tensor& input = inputs[i];
    output = torch::minimum(output, input);
  }
  return output;
}

std::string Minimum::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  return fold_onnx(graph, "Min", inputs);
}

}  // namespace tkeras::layers
