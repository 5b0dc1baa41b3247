// Activation: a named function as a layer.
#include "tkeras/layers/activation.h"

#include "layers/onnx_export.h"
#include "layers/registry.h"

namespace tkeras::layers {

Activation::Activation(std::string_view name)
    : Layer("activation"), activation_name_(activations::canonical_name(name)), function_(activations::get(name)) {}

const registry::Registrar<Activation> activation_registration("Activation");

std::shared_ptr<Activation> Activation::from_config(const Config& config) {
  return configured(std::make_shared<Activation>(ConfigReader(config).string("activation", "linear")), config);
}

Config Activation::get_config() const {
  Config config = Layer::get_config();
  config["activation"] = activation_name_;
  return config;
}

torch::Tensor Activation::call(const torch::Tensor& inputs, bool /*training*/) { return function_(inputs); }

torch::Tensor Activation::call_without_activation(const torch::Tensor& inputs, bool /*training*/) { return inputs; }

Shape Activation::build_weights(const Shape& input_shape) { return input_shape; }

io::onnx::Value Activation::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::activation(*this, graph, onnx_export::output(*this, inputs, inputs.name), activation_name_);
}

}  // namespace tkeras::layers
