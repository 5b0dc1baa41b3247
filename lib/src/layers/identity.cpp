// Identity: the inputs, unchanged.
#include "tkeras/layers/identity.h"

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Identity::Identity() : Layer("identity") {}

const registry::Registrar<Identity> identity_registration("Identity");

std::shared_ptr<Identity> Identity::from_config(const Config& config) {
  return configured(std::make_shared<Identity>(), config);
}

Shape Identity::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor Identity::call(const torch::Tensor& inputs, bool /*training*/) { return inputs; }

io::onnx::Value Identity::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, graph.op("Identity", {inputs.name}, {}, name()));
}

}  // namespace tkeras::layers
