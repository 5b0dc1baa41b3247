// CenterCrop: a central crop, or Keras's smart_resize for images smaller than the target.
#include "tkeras/layers/center_crop.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/resize.h"
#include "layers/augmentation.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

CenterCrop::CenterCrop(int64_t height, int64_t width) : Layer("center_crop"), height_(height), width_(width) {
  if (height_ <= 0 || width_ <= 0) {
    throw Error(fmt::format("CenterCrop: expected a positive height and width, received {} x {}", height_, width_));
  }
}

const registry::Registrar<CenterCrop> center_crop_registration("CenterCrop");

std::shared_ptr<CenterCrop> CenterCrop::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "CenterCrop");
  return configured(std::make_shared<CenterCrop>(read.positive_int("height"), read.positive_int("width")), config);
}

Config CenterCrop::get_config() const {
  Config config = Layer::get_config();
  config["height"] = height_;
  config["width"] = width_;
  return config;
}

Shape CenterCrop::build_weights(const Shape& input_shape) {
  augmentation::check_images("CenterCrop", input_shape);
  return {height_, width_, input_shape[2]};
}

torch::Tensor CenterCrop::call(const torch::Tensor& inputs, bool /*training*/) {
  const int64_t h_diff = inputs.size(1) - height_;
  const int64_t w_diff = inputs.size(2) - width_;
  if (h_diff >= 0 && w_diff >= 0) {
    return inputs.narrow(1, h_diff / 2, height_).narrow(2, w_diff / 2, width_).to(torch::kFloat32);
  }
  return data::resize::images(data::resize::crop_to_aspect(inputs, height_, width_), height_, width_, "bilinear");
}

io::onnx::Value CenterCrop::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const Shape& image = inputs.shape;
  if (image[0] < height_ || image[1] < width_) {
    onnx_export::refuse(*this, fmt::format("its input ({}) is smaller than the crop, which Keras resizes to; crop or "
                                           "resize before the model",
                                           format_shape(image)));
  }
  const int64_t top = (image[0] - height_) / 2;
  const int64_t left = (image[1] - width_) / 2;
  return onnx_export::output(
      *this, inputs,
      graph.op("Slice",
               {inputs.name, graph.ints({top, left}, name() + "/starts"),
                graph.ints({top + height_, left + width_}, name() + "/ends"), graph.ints({1, 2}, name() + "/axes")},
               {}, name()));
}

}  // namespace tkeras::layers
