// ZeroPadding2D: LibTorch's constant padding over the height and width of channels-last images.
#include "tkeras/layers/zero_padding2d.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

ZeroPadding2D::ZeroPadding2D(Padding2D padding) : Layer("zero_padding2d"), padding_(padding) {
  if (padding_.top < 0 || padding_.bottom < 0 || padding_.left < 0 || padding_.right < 0) {
    throw Error(fmt::format("ZeroPadding2D: expected padding of no negative size, received (({}, {}), ({}, {}))",
                            padding_.top, padding_.bottom, padding_.left, padding_.right));
  }
}

const registry::Registrar<ZeroPadding2D> zero_padding2d_registration("ZeroPadding2D");

std::shared_ptr<ZeroPadding2D> ZeroPadding2D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "ZeroPadding2D");
  const Config padding = read.has("padding") ? read.at("padding") : Config(1);
  const auto refuse = [&] {
    return Error(
        fmt::format("ZeroPadding2D: expected \"padding\" as a number, [height, width] or [[top, bottom], "
                    "[left, right]], received {}",
                    padding.dump()));
  };
  // One side's pair: a number for both ends, or [before, after].
  const auto pair = [&](const Config& value) -> std::array<int64_t, 2> {
    if (value.is_number_integer()) return {value.get<int64_t>(), value.get<int64_t>()};
    if (value.is_array() && value.size() == 2 && value[0].is_number_integer() && value[1].is_number_integer()) {
      return {value[0].get<int64_t>(), value[1].get<int64_t>()};
    }
    throw refuse();
  };
  const auto sides = [&] {
    if (padding.is_number_integer()) return Padding2D(padding.get<int64_t>());
    if (padding.is_array() && padding.size() == 2) return Padding2D(pair(padding[0]), pair(padding[1]));
    throw refuse();
  };
  return configured(std::make_shared<ZeroPadding2D>(sides()), config);
}

Config ZeroPadding2D::get_config() const {
  Config config = Layer::get_config();
  config["padding"] = {{padding_.top, padding_.bottom}, {padding_.left, padding_.right}};
  config["data_format"] = "channels_last";
  return config;
}

Shape ZeroPadding2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  return {image[0] + padding_.top + padding_.bottom, image[1] + padding_.left + padding_.right, image[2]};
}

torch::Tensor ZeroPadding2D::call(const torch::Tensor& inputs, bool /*training*/) {
  // From the last axis back: channels, width, height.
  return torch::constant_pad_nd(inputs, {0, 0, padding_.left, padding_.right, padding_.top, padding_.bottom});
}

io::onnx::Value ZeroPadding2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  // ONNX's pads: the beginnings of [batch, height, width, channels], then their ends.
  const std::string pads =
      graph.ints({0, padding_.top, padding_.left, 0, 0, padding_.bottom, padding_.right, 0}, name() + "/pads");
  return onnx_export::output(*this, inputs, graph.op("Pad", {inputs.name, pads}, {}, name()));
}

}  // namespace tkeras::layers
