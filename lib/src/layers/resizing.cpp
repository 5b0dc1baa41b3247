// Resizing: Keras's torch-backend resize, with its crop or pad to the aspect ratio.
#include "tkeras/layers/resizing.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/resize.h"
#include "layers/augmentation.h"
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

}  // namespace tkeras::layers
