// ReLU: Keras's relu(x, negative_slope, max_value, threshold) as a layer.
#include "tkeras/layers/relu.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

ReLU::ReLU(ReLUOptions options) : Layer("re_lu"), options_(options) {
  const auto check = [](const char* what, double value) {
    if (!(value >= 0.0)) throw Error(fmt::format("ReLU: expected {} >= 0, received {}", what, value));
  };
  if (options_.max_value) check("max_value", *options_.max_value);
  check("negative_slope", options_.negative_slope);
  check("threshold", options_.threshold);
}

const registry::Registrar<ReLU> relu_registration("ReLU");

std::shared_ptr<ReLU> ReLU::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(
      std::make_shared<ReLU>(ReLUOptions{
          .max_value = read.has("max_value") ? std::optional<double>(read.number("max_value")) : std::nullopt,
          .negative_slope = read.number("negative_slope", 0.0),
          .threshold = read.number("threshold", 0.0)}),
      config);
}

Config ReLU::get_config() const {
  Config config = Layer::get_config();
  config["max_value"] = options_.max_value ? Config(*options_.max_value) : Config(nullptr);
  config["negative_slope"] = options_.negative_slope;
  config["threshold"] = options_.threshold;
  return config;
}

Shape ReLU::build_weights(const Shape& input_shape) { return input_shape; }

// As Keras's ReLU.static_call: the part above the threshold, capped, less the leak below it.
torch::Tensor ReLU::call(const torch::Tensor& inputs, bool /*training*/) {
  const auto& [max_value, slope, threshold] = options_;
  if (slope != 0.0 && !max_value && threshold == 0.0) return torch::leaky_relu(inputs, slope);
  torch::Tensor x = threshold != 0.0 ? torch::where(inputs > threshold, inputs, torch::zeros({}, inputs.options()))
                                     : torch::relu(inputs);
  if (max_value) x = torch::clamp(x, 0.0, *max_value);
  if (slope != 0.0) x = x - slope * torch::relu(threshold - inputs);
  return x;
}

io::onnx::Value ReLU::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const auto& [max_value, slope, threshold] = options_;
  io::onnx::Value out = onnx_export::output(*this, inputs, inputs.name);
  const auto scalar = [&](double value, const char* what) {
    return graph.constant(torch::tensor(static_cast<float>(value)), name() + "/" + what);
  };
  if (slope != 0.0 && !max_value && threshold == 0.0) {
    out.name =
        graph.op("LeakyRelu", {inputs.name}, {io::onnx::Attribute::of("alpha", static_cast<float>(slope))}, name());
    return out;
  }
  if (threshold != 0.0) {
    const std::string above = graph.op("Greater", {inputs.name, scalar(threshold, "threshold")}, {}, name());
    out.name = graph.op("Where", {above, inputs.name, scalar(0.0, "zero")}, {}, name());
  } else {
    out.name = graph.op("Relu", {inputs.name}, {}, name());
  }
  if (max_value) out.name = graph.op("Clip", {out.name, scalar(0.0, "min"), scalar(*max_value, "max")}, {}, name());
  if (slope != 0.0) {
    const std::string below =
        graph.op("Relu", {graph.op("Sub", {scalar(threshold, "threshold"), inputs.name}, {}, name())}, {}, name());
    out.name = graph.op("Sub", {out.name, graph.op("Mul", {below, scalar(slope, "slope")}, {}, name())}, {}, name());
  }
  return out;
}

}  // namespace tkeras::layers
