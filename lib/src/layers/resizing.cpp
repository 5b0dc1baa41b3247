// Resizing: Keras's torch-backend resize, with its crop or pad to the aspect ratio.
#include "tkeras/layers/resizing.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/resize.h"
#include "layers/augmentation.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Resizing::Resizing(int64_t height, int64_t width, ResizingOptions options)
    : Layer("resizing"), height_(height), width_(width), options_(std::move(options)) {
  if (height_ <= 0 || width_ <= 0) {
    throw Error(fmt::format("Resizing: expected a positive height and width, received {} x {}", height_, width_));
  }
  const std::string& mode = options_.interpolation;
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic") {
    throw Error(fmt::format(
        "Resizing: expected interpolation \"bilinear\", \"nearest\" or \"bicubic\", received \"{}\"", mode));
  }
  if (options_.crop_to_aspect_ratio && options_.pad_to_aspect_ratio) {
    throw Error("Resizing: expected only one of crop_to_aspect_ratio and pad_to_aspect_ratio, received both");
  }
  if (options_.fill_mode != "constant") {
    throw Error(fmt::format("Resizing: expected fill_mode \"constant\", received \"{}\"", options_.fill_mode));
  }
}

const registry::Registrar<Resizing> resizing_registration("Resizing");

std::shared_ptr<Resizing> Resizing::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "Resizing");
  return configured(
      std::make_shared<Resizing>(read.positive_int("height"), read.positive_int("width"),
                                 ResizingOptions{.interpolation = read.string("interpolation", "bilinear"),
                                                 .crop_to_aspect_ratio = read.boolean("crop_to_aspect_ratio", false),
                                                 .pad_to_aspect_ratio = read.boolean("pad_to_aspect_ratio", false),
                                                 .fill_mode = read.string("fill_mode", "constant"),
                                                 .fill_value = read.number("fill_value", 0.0),
                                                 .antialias = read.boolean("antialias", false)}),
      config);
}

Config Resizing::get_config() const {
  Config config = Layer::get_config();
  config["height"] = height_;
  config["width"] = width_;
  config["interpolation"] = options_.interpolation;
  config["crop_to_aspect_ratio"] = options_.crop_to_aspect_ratio;
  config["pad_to_aspect_ratio"] = options_.pad_to_aspect_ratio;
  config["fill_mode"] = options_.fill_mode;
  config["fill_value"] = options_.fill_value;
  config["antialias"] = options_.antialias;
  return config;
}

Shape Resizing::build_weights(const Shape& input_shape) {
  augmentation::check_images("Resizing", input_shape);
  return {height_, width_, input_shape[2]};
}

torch::Tensor Resizing::call(const torch::Tensor& inputs, bool /*training*/) {
  torch::Tensor images = inputs;
  if (options_.crop_to_aspect_ratio) images = data::resize::crop_to_aspect(images, height_, width_);
  if (options_.pad_to_aspect_ratio) {
    images = data::resize::pad_to_aspect(images.to(torch::kFloat32), height_, width_, options_.fill_value);
  }
  return data::resize::images(images, height_, width_, options_.interpolation, options_.antialias);
}

io::onnx::Value Resizing::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& interpolation = options_.interpolation;
  if (interpolation != "bilinear" && interpolation != "nearest") {
    onnx_export::refuse(
        *this, fmt::format("interpolation \"{}\" is exported only as \"bilinear\" or \"nearest\"", interpolation));
  }
  if (options_.crop_to_aspect_ratio || options_.pad_to_aspect_ratio || options_.antialias) {
    onnx_export::refuse(*this, "crop_to_aspect_ratio, pad_to_aspect_ratio and antialias have no ONNX counterpart here");
  }
  const std::string& layer = name();
  // Resize's sizes: the batch and channels as they come, then the target height and width.
  const std::string images = graph.to_channels_first(inputs.name, 4, layer);
  const std::string leading = graph.op(
      "Slice",
      {graph.op("Shape", {images}, {}, layer), graph.ints({0}, layer + "/starts"), graph.ints({2}, layer + "/ends")},
      {}, layer);
  const std::string sizes = graph.op("Concat", {leading, graph.ints({height_, width_}, layer + "/size")},
                                     {Attribute::of("axis", int64_t{0})}, layer);
  std::vector<Attribute> attributes = {
      Attribute::of("coordinate_transformation_mode", std::string("half_pixel")),
      Attribute::of("mode", std::string(interpolation == "nearest" ? "nearest" : "linear"))};
  // LibTorch's nearest-exact: the source pixel floor((x + 0.5) * scale), ONNX's round_prefer_ceil of half_pixel.
  if (interpolation == "nearest") attributes.push_back(Attribute::of("nearest_mode", std::string("round_prefer_ceil")));
  return onnx_export::output(
      *this, inputs, graph.to_channels_last(graph.op("Resize", {images, "", "", sizes}, attributes, layer), 4, layer));
}

}  // namespace tkeras::layers
