// Rescaling: an affine map of the inputs.
#include "tkeras/layers/rescaling.h"

#include "layers/onnx_export.h"
#include "layers/registry.h"

#include <torch/torch.h>

namespace tkeras::layers {

Rescaling::Rescaling(double scale, double offset) : Layer("rescaling"), scale_(scale), offset_(offset) {}

const registry::Registrar<Rescaling> rescaling_registration("Rescaling");

std::shared_ptr<Rescaling> Rescaling::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(std::make_shared<Rescaling>(read.number("scale"), read.number("offset", 0.0)), config);
}

Config Rescaling::get_config() const {
  Config config = Layer::get_config();
  config["scale"] = scale_;
  config["offset"] = offset_;
  return config;
}

Shape Rescaling::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor Rescaling::call(const torch::Tensor& inputs, bool /*training*/) {
  return offset_ == 0.0 ? inputs * scale_ : inputs * scale_ + offset_;
}

io::onnx::Value Rescaling::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const Config config = get_config();
  const auto scalar_or_list = [](const Config& value) {
    return value.is_array() ? torch::tensor(value.get<std::vector<double>>(), torch::kFloat32)
                            : torch::tensor(value.get<double>(), torch::kFloat32);
  };
  io::onnx::Value out = onnx_export::output(
      *this, inputs,
      graph.op("Mul", {inputs.name, graph.constant(scalar_or_list(config.at("scale")), name() + "/scale")}, {},
               name()));
  out.name = graph.op(
      "Add", {out.name, graph.constant(scalar_or_list(config.value("offset", Config(0.0))), name() + "/offset")}, {},
      name());
  return out;
}

}  // namespace tkeras::layers
