// LeakyReLU: Keras's leaky_relu(x, negative_slope) as a layer.
#include "tkeras/layers/leaky_relu.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

LeakyReLU::LeakyReLU(LeakyReLUOptions options) : Layer("leaky_re_lu"), options_(options) {
  if (!(options_.negative_slope >= 0.0)) {
    throw Error(fmt::format("LeakyReLU: expected negative_slope >= 0, received {}", options_.negative_slope));
  }
}

const registry::Registrar<LeakyReLU> leaky_relu_registration("LeakyReLU");

std::shared_ptr<LeakyReLU> LeakyReLU::from_config(const Config& config) {
  const ConfigReader read(config);
  const double slope = read.has("negative_slope") ? read.number("negative_slope") : read.number("alpha", 0.3);
  return configured(std::make_shared<LeakyReLU>(LeakyReLUOptions{.negative_slope = slope}), config);
}

Config LeakyReLU::get_config() const {
  Config config = Layer::get_config();
  config["negative_slope"] = options_.negative_slope;
  return config;
}

Shape LeakyReLU::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor LeakyReLU::call(const torch::Tensor& inputs, bool /*training*/) {
  return torch::leaky_relu(inputs, options_.negative_slope);
}

io::onnx::Value LeakyReLU::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return onnx_export::output(
      *this, inputs,
      graph.op("LeakyRelu", {inputs.name},
               {io::onnx::Attribute::of("alpha", static_cast<float>(options_.negative_slope))}, name()));
}

}  // namespace tkeras::layers
