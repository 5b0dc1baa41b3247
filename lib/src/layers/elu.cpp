// ELU: Keras's elu(x, alpha) as a layer.
#include "tkeras/layers/elu.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

ELU::ELU(ELUOptions options) : Layer("elu"), options_(options) {}

const registry::Registrar<ELU> elu_registration("ELU");

std::shared_ptr<ELU> ELU::from_config(const Config& config) {
  return configured(std::make_shared<ELU>(ELUOptions{.alpha = ConfigReader(config).number("alpha", 1.0)}), config);
}

Config ELU::get_config() const {
  Config config = Layer::get_config();
  config["alpha"] = options_.alpha;
  return config;
}

Shape ELU::build_weights(const Shape& input_shape) { return input_shape; }

// As Keras's torch backend: torch's elu with alpha.
torch::Tensor ELU::call(const torch::Tensor& inputs, bool /*training*/) { return torch::elu(inputs, options_.alpha); }

io::onnx::Value ELU::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::output(
      *this, inputs,
      graph.op("Elu", {inputs.name}, {io::onnx::Attribute::of("alpha", static_cast<float>(options_.alpha))}, name()));
}

}  // namespace tkeras::layers
