// Cropping1D: a narrowed view of the steps of channels-last sequences.
#include "tkeras/layers/cropping1d.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Cropping1D::Cropping1D(Crop1D cropping) : Layer("cropping1d"), cropping_(cropping) {
  if (cropping_.left < 0 || cropping_.right < 0) {
    throw Error(fmt::format("Cropping1D: expected cropping of no negative size, received ({}, {})", cropping_.left,
                            cropping_.right));
  }
}

const registry::Registrar<Cropping1D> cropping1d_registration("Cropping1D");

std::shared_ptr<Cropping1D> Cropping1D::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config cropping = read.has("cropping") ? read.at("cropping") : Config({1, 1});
  if (cropping.is_number_integer()) return configured(std::make_shared<Cropping1D>(cropping.get<int64_t>()), config);
  if (cropping.is_array() && cropping.size() == 2 && cropping[0].is_number_integer() &&
      cropping[1].is_number_integer()) {
    return configured(std::make_shared<Cropping1D>(Crop1D(cropping[0].get<int64_t>(), cropping[1].get<int64_t>())),
                      config);
  }
  throw Error(
      fmt::format("Cropping1D: expected \"cropping\" as a number or [left, right], received {}", cropping.dump()));
}

Config Cropping1D::get_config() const {
  Config config = Layer::get_config();
  config["cropping"] = {cropping_.left, cropping_.right};
  return config;
}

Shape Cropping1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  const int64_t steps = sequence[0] - cropping_.left - cropping_.right;
  if (steps <= 0) {
    throw Error(
        fmt::format("Cropping1D \"{}\": expected cropping ({}, {}) smaller than the input's {} steps, "
                    "received input {}",
                    name(), cropping_.left, cropping_.right, sequence[0], format_batch_shape(input_shape)));
  }
  return {steps, sequence[1]};
}

torch::Tensor Cropping1D::call(const torch::Tensor& inputs, bool /*training*/) {
  const int64_t steps = inputs.size(1) - cropping_.left - cropping_.right;
  if (steps <= 0) {
    throw Error(
        fmt::format("Cropping1D \"{}\": expected cropping ({}, {}) smaller than the input's {} steps, "
                    "received inputs of shape {}",
                    name(), cropping_.left, cropping_.right, inputs.size(1), format_shape(inputs.sizes().vec())));
  }
  return inputs.narrow(1, cropping_.left, steps);
}

io::onnx::Value Cropping1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const std::string& layer = name();
  const std::string starts = graph.ints({cropping_.left}, layer + "/starts");
  const std::string ends = graph.ints({cropping_.left + output_shape()[0]}, layer + "/ends");
  const std::string axes = graph.ints({1}, layer + "/axes");
  return onnx_export::output(*this, inputs, graph.op("Slice", {inputs.name, starts, ends, axes}, {}, layer));
}

}  // namespace tkeras::layers
