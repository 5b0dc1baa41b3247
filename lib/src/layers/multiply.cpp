// Multiply: the product, folded from the first input as Keras's `ops.multiply` loop.
#include "tkeras/layers/multiply.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Multiply::Multiply(MergeOptions options) : Merge("multiply", std::move(options.name)) {}

const registry::Registrar<Multiply> multiply_registration("Multiply");

std::shared_ptr<Multiply> Multiply::from_config(const Config& config) {
  return configured(std::make_shared<Multiply>(), config);
}

torch::Tensor Multiply::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor output = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const torch::Tensor& input = inputs[i];
    output = output * input;
  }
  return output;
}

std::string Multiply::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  return fold_onnx(graph, "Mul", inputs);
}

}  // namespace tkeras::layers
