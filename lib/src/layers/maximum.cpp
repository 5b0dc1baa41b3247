// Maximum: the maximum, folded from the first input as Keras's `ops.maximum` loop.
#include "tkeras/layers/maximum.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Maximum::Maximum(MergeOptions options) : Merge("maximum", std::move(options.name)) {}

const registry::Registrar<Maximum> maximum_registration("Maximum");

std::shared_ptr<Maximum> Maximum::from_config(const Config& config) {
  return configured(std::make_shared<Maximum>(), config);
}

torch::Tensor Maximum::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor output = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const torch::Tensor& input = inputs[i];
    output = torch::maximum(output, input);
  }
  return output;
}

std::string Maximum::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  return fold_onnx(graph, "Max", inputs);
}

}  // namespace tkeras::layers
