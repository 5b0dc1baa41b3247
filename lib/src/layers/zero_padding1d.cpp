// ZeroPadding1D: LibTorch's constant padding over the steps of channels-last sequences.
#include "tkeras/layers/zero_padding1d.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

ZeroPadding1D::ZeroPadding1D(Padding1D padding) : Layer("zero_padding1d"), padding_(padding) {
  if (padding_.left < 0 || padding_.right < 0) {
    throw Error(fmt::format("ZeroPadding1D: expected padding of no negative size, received ({}, {})", padding_.left,
                            padding_.right));
  }
}

const registry::Registrar<ZeroPadding1D> zero_padding1d_registration("ZeroPadding1D");

std::shared_ptr<ZeroPadding1D> ZeroPadding1D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "ZeroPadding1D");
  const Config padding = read.has("padding") ? read.at("padding") : Config(1);
  if (padding.is_number_integer()) return configured(std::make_shared<ZeroPadding1D>(padding.get<int64_t>()), config);
  if (padding.is_array() && padding.size() == 2 && padding[0].is_number_integer() && padding[1].is_number_integer()) {
    return configured(std::make_shared<ZeroPadding1D>(Padding1D(padding[0].get<int64_t>(), padding[1].get<int64_t>())),
                      config);
  }
  throw Error(
      fmt::format("ZeroPadding1D: expected \"padding\" as a number or [left, right], received {}", padding.dump()));
}

Config ZeroPadding1D::get_config() const {
  Config config = Layer::get_config();
  config["padding"] = {padding_.left, padding_.right};
  config["data_format"] = "channels_last";
  return config;
}

Shape ZeroPadding1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  return {sequence[0] + padding_.left + padding_.right, sequence[1]};
}

torch::Tensor ZeroPadding1D::call(const torch::Tensor& inputs, bool /*training*/) {
  // From the last axis back: channels, steps.
  return torch::constant_pad_nd(inputs, {0, 0, padding_.left, padding_.right});
}

io::onnx::Value ZeroPadding1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  // ONNX's pads: the beginnings of [batch, steps, channels], then their ends.
  const std::string pads = graph.ints({0, padding_.left, 0, 0, padding_.right, 0}, name() + "/pads");
  return onnx_export::output(*this, inputs, graph.op("Pad", {inputs.name, pads}, {}, name()));
}

}  // namespace tkeras::layers
