// Cropping2D: a narrowed view of the height and width of channels-last images.
#include "tkeras/layers/cropping2d.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

std::string sides(const Crop2D& c) { return fmt::format("(({}, {}), ({}, {}))", c.top, c.bottom, c.left, c.right); }

}  // namespace

Cropping2D::Cropping2D(Crop2D cropping) : Layer("cropping2d"), cropping_(cropping) {
  if (cropping_.top < 0 || cropping_.bottom < 0 || cropping_.left < 0 || cropping_.right < 0) {
    throw Error(fmt::format("Cropping2D: expected cropping of no negative size, received {}", sides(cropping_)));
  }
}

const registry::Registrar<Cropping2D> cropping2d_registration("Cropping2D");

std::shared_ptr<Cropping2D> Cropping2D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "Cropping2D");
  const Config cropping = read.has("cropping") ? read.at("cropping") : Config(0);
  const auto refuse = [&] {
    return Error(
        fmt::format("Cropping2D: expected \"cropping\" as a number, [height, width] or [[top, bottom], "
                    "[left, right]], received {}",
                    cropping.dump()));
  };
  // One axis's pair: a number for both ends, or [before, after].
  const auto pair = [&](const Config& value) -> std::array<int64_t, 2> {
    if (value.is_number_integer()) return {value.get<int64_t>(), value.get<int64_t>()};
    if (value.is_array() && value.size() == 2 && value[0].is_number_integer() && value[1].is_number_integer()) {
      return {value[0].get<int64_t>(), value[1].get<int64_t>()};
    }
    throw refuse();
  };
  const auto crop = [&] {
    if (cropping.is_number_integer()) return Crop2D(cropping.get<int64_t>());
    if (cropping.is_array() && cropping.size() == 2) return Crop2D(pair(cropping[0]), pair(cropping[1]));
    throw refuse();
  };
  return configured(std::make_shared<Cropping2D>(crop()), config);
}

Config Cropping2D::get_config() const {
  Config config = Layer::get_config();
  config["cropping"] = {{cropping_.top, cropping_.bottom}, {cropping_.left, cropping_.right}};
  config["data_format"] = "channels_last";
  return config;
}

Shape Cropping2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const int64_t height = image[0] - cropping_.top - cropping_.bottom;
  const int64_t width = image[1] - cropping_.left - cropping_.right;
  if (height <= 0 || width <= 0) {
    throw Error(
        fmt::format("Cropping2D \"{}\": expected cropping {} smaller than the input's {} x {} pixels, "
                    "received input {}",
                    name(), sides(cropping_), image[0], image[1], format_batch_shape(input_shape)));
  }
  return {height, width, image[2]};
}

torch::Tensor Cropping2D::call(const torch::Tensor& inputs, bool /*training*/) {
  const int64_t height = inputs.size(1) - cropping_.top - cropping_.bottom;
  const int64_t width = inputs.size(2) - cropping_.left - cropping_.right;
  if (height <= 0 || width <= 0) {
    throw Error(
        fmt::format("Cropping2D \"{}\": expected cropping {} smaller than the input's {} x {} pixels, "
                    "received inputs of shape {}",
                    name(), sides(cropping_), inputs.size(1), inputs.size(2), format_shape(inputs.sizes().vec())));
  }
  return inputs.narrow(1, cropping_.top, height).narrow(2, cropping_.left, width);
}

io::onnx::Value Cropping2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const std::string& layer = name();
  const Shape& out = output_shape();
  const std::string starts = graph.ints({cropping_.top, cropping_.left}, layer + "/starts");
  const std::string ends = graph.ints({cropping_.top + out[0], cropping_.left + out[1]}, layer + "/ends");
  const std::string axes = graph.ints({1, 2}, layer + "/axes");
  return onnx_export::output(*this, inputs, graph.op("Slice", {inputs.name, starts, ends, axes}, {}, layer));
}

}  // namespace tkeras::layers
