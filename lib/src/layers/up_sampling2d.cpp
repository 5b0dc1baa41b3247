// UpSampling2D: LibTorch's repeat_interleave for "nearest", as Keras's ops.repeat, and Keras's
// torch-backend resize (LibTorch's interpolate) for "bilinear" and "bicubic".
#include "tkeras/layers/up_sampling2d.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/resize.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

UpSampling2D::UpSampling2D(Size2 size, UpSampling2DOptions options)
    : Layer("up_sampling2d"), size_(size), options_(std::move(options)) {
  if (size_.height <= 0 || size_.width <= 0) {
    throw Error(fmt::format("UpSampling2D: expected a positive size, received ({}, {})", size_.height, size_.width));
  }
  // Keras lower-cases the interpolation.
  std::string& mode = options_.interpolation;
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
  if (mode != "nearest" && mode != "bilinear" && mode != "bicubic") {
    throw Error(fmt::format(
        "UpSampling2D: expected interpolation \"nearest\", \"bilinear\" or \"bicubic\", received \"{}\"", mode));
  }
}

const registry::Registrar<UpSampling2D> up_sampling2d_registration("UpSampling2D");

std::shared_ptr<UpSampling2D> UpSampling2D::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "UpSampling2D");
  Size2 size = 2;
  if (read.has("size")) {
    const Config& value = read.at("size");
    if (value.is_number_integer()) {
      size = value.get<int64_t>();
    } else if (value.is_array() && value.size() == 2 && value[0].is_number_integer() && value[1].is_number_integer()) {
      size = Size2(value[0].get<int64_t>(), value[1].get<int64_t>());
    } else {
      throw Error(
          fmt::format("UpSampling2D: expected \"size\" as a number or [height, width], received {}", value.dump()));
    }
  }
  return configured(std::make_shared<UpSampling2D>(
                        size, UpSampling2DOptions{.interpolation = read.string("interpolation", "nearest")}),
                    config);
}

Config UpSampling2D::get_config() const {
  Config config = Layer::get_config();
  config["size"] = {size_.height, size_.width};
  config["data_format"] = "channels_last";
  config["interpolation"] = options_.interpolation;
  return config;
}

Shape UpSampling2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  return {image[0] * size_.height, image[1] * size_.width, image[2]};
}

torch::Tensor UpSampling2D::call(const torch::Tensor& inputs, bool /*training*/) {
  if (options_.interpolation == "nearest") {
    return inputs.repeat_interleave(size_.height, 1).repeat_interleave(size_.width, 2);
  }
  // Keras's ops.image.resize to the enlarged size: LibTorch's interpolate given the output size.
  return data::resize::images(inputs, inputs.size(1) * size_.height, inputs.size(2) * size_.width,
                              options_.interpolation);
}

io::onnx::Value UpSampling2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& layer = name();
  const std::string& mode = options_.interpolation;
  const std::string scales =
      graph.constant(torch::tensor({1.0F, 1.0F, static_cast<float>(size_.height), static_cast<float>(size_.width)}),
                     layer + "/scales");
  std::vector<Attribute> attributes;
  if (mode == "nearest") {
    // Output pixel i reads floor(i / size): each pixel repeated.
    attributes = {Attribute::of("coordinate_transformation_mode", std::string("asymmetric")),
                  Attribute::of("mode", std::string("nearest")), Attribute::of("nearest_mode", std::string("floor"))};
  } else {
    // LibTorch's interpolate with align_corners false: half-pixel centres; its bicubic's A = -0.75.
    attributes = {Attribute::of("coordinate_transformation_mode", std::string("half_pixel")),
                  Attribute::of("mode", std::string(mode == "bilinear" ? "linear" : "cubic"))};
    if (mode == "bicubic") attributes.push_back(Attribute::of("cubic_coeff_a", -0.75F));
  }
  const std::string images = graph.to_channels_first(inputs.name, 4, layer);
  const std::string resized = graph.op("Resize", {images, "", scales}, attributes, layer);
  return onnx_export::output(*this, inputs, graph.to_channels_last(resized, 4, layer));
}

}  // namespace tkeras::layers
