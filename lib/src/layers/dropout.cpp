// Dropout: active only while training.
#include "tkeras/layers/dropout.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Dropout::Dropout(double rate) : Layer("dropout"), rate_(rate) {
  if (!(rate >= 0.0 && rate < 1.0)) throw Error(fmt::format("Dropout: expected a rate in [0, 1), received {}", rate));
}

const registry::Registrar<Dropout> dropout_registration("Dropout");

std::shared_ptr<Dropout> Dropout::from_config(const Config& config) {
  return configured(std::make_shared<Dropout>(ConfigReader(config).number("rate")), config);
}

Config Dropout::get_config() const {
  Config config = Layer::get_config();
  config["rate"] = rate_;
  return config;
}

Shape Dropout::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor Dropout::call(const torch::Tensor& inputs, bool training) {
  return training && rate_ > 0.0 ? torch::dropout(inputs, rate_, /*train=*/true) : inputs;
}

// At inference, the identity.
io::onnx::Value Dropout::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, inputs.name);
}

}  // namespace tkeras::layers
