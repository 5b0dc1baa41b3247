// Flatten: one vector per sample.
#include "tkeras/layers/flatten.h"

#include "layers/onnx_export.h"
#include "layers/registry.h"

#include <torch/torch.h>

namespace tkeras::layers {

Flatten::Flatten() : Layer("flatten") {}

const registry::Registrar<Flatten> flatten_registration("Flatten");

std::shared_ptr<Flatten> Flatten::from_config(const Config& config) {
  return configured(std::make_shared<Flatten>(), config);
}

torch::Tensor Flatten::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.reshape({inputs.size(0), -1});
}

Shape Flatten::build_weights(const Shape& input_shape) { return {element_count(input_shape)}; }

io::onnx::Value Flatten::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs,
                             graph.op("Flatten", {inputs.name}, {io::onnx::Attribute::of("axis", int64_t{1})}, name()));
}

}  // namespace tkeras::layers
