// Pooling layers on channels-last views, with Keras's "same" padding.
#include "tkeras/layers/pooling2d.h"

#include <limits>

#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"

namespace tkeras::layers {

Pooling2D::Pooling2D(std::string_view prefix, std::string_view class_name, Size2 pool_size, Pooling2DOptions options)
    : Layer(prefix),
      pool_size_(pool_size),
      strides_(options.strides.value_or(pool_size)),
      padding_mode_(std::move(options.padding)) {
  spatial::check_positive(class_name, "pool_size", pool_size_);
  spatial::check_positive(class_name, "strides", strides_);
  spatial::check_padding(class_name, padding_mode_);
}

std::pair<Size2, Pooling2DOptions> Pooling2D::read_config(const Config& config) {
  const ConfigReader read(config);
  const auto pool = read.has("pool_size") ? read.size2("pool_size") : std::pair<int64_t, int64_t>{2, 2};
  Pooling2DOptions options{.strides = std::nullopt, .padding = read.string("padding", "valid")};
  if (read.has("strides")) {
    const auto [height, width] = read.size2("strides");
    options.strides = Size2(height, width);
  }
  return {Size2(pool.first, pool.second), options};
}

Config Pooling2D::get_config() const {
  Config config = Layer::get_config();
  config["pool_size"] = {pool_size_.height, pool_size_.width};
  config["strides"] = {strides_.height, strides_.width};
  config["padding"] = padding_mode_;
  return config;
}

Shape Pooling2D::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const spatial::Windows out = spatial::windows(*this, image, pool_size_, strides_, padding_mode_, "pool");
  padding_ = out.padding;
  return {out.height, out.width, image[2]};
}

MaxPooling2D::MaxPooling2D(Size2 pool_size, Pooling2DOptions options)
    : Pooling2D("max_pooling2d", "MaxPooling2D", pool_size, std::move(options)) {}

const registry::Registrar<MaxPooling2D> max_pooling2d_registration("MaxPooling2D");

std::shared_ptr<MaxPooling2D> MaxPooling2D::from_config(const Config& config) {
  auto [pool_size, options] = read_config(config);
  return configured(std::make_shared<MaxPooling2D>(pool_size, std::move(options)), config);
}

torch::Tensor MaxPooling2D::call(const torch::Tensor& inputs, bool /*training*/) {
  const torch::Tensor images =
      spatial::pad(spatial::channels_first(inputs), padding_, -std::numeric_limits<double>::infinity());
  return spatial::channels_last(
      torch::max_pool2d(images, {pool_size_.height, pool_size_.width}, {strides_.height, strides_.width}));
}

AveragePooling2D::AveragePooling2D(Size2 pool_size, Pooling2DOptions options)
    : Pooling2D("average_pooling2d", "AveragePooling2D", pool_size, std::move(options)) {}

const registry::Registrar<AveragePooling2D> average_pooling2d_registration("AveragePooling2D");

std::shared_ptr<AveragePooling2D> AveragePooling2D::from_config(const Config& config) {
  auto [pool_size, options] = read_config(config);
  return configured(std::make_shared<AveragePooling2D>(pool_size, std::move(options)), config);
}

torch::Tensor AveragePooling2D::call(const torch::Tensor& inputs, bool /*training*/) {
  const torch::Tensor images = spatial::channels_first(inputs);
  auto average = [&](const torch::Tensor& x) {
    return torch::avg_pool2d(spatial::pad(x, padding_, 0.0), {pool_size_.height, pool_size_.width},
                             {strides_.height, strides_.width});
  };
  torch::Tensor pooled = average(images);
  if (padding_ != std::array<int64_t, 4>{0, 0, 0, 0}) {
    // Keras averages border windows over the pixels inside the image only: divide by the share
    // of each window that lies inside.
    pooled = pooled / average(torch::ones({1, 1, images.size(2), images.size(3)}, images.options()));
  }
  return spatial::channels_last(pooled);
}

GlobalPooling2D::GlobalPooling2D(std::string_view prefix, GlobalPooling2DOptions options)
    : Layer(prefix), options_(options) {}

GlobalPooling2DOptions GlobalPooling2D::read_config(const Config& config, std::string_view class_name) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, class_name);
  return {.keepdims = read.boolean("keepdims", false)};
}

Config GlobalPooling2D::get_config() const {
  Config config = Layer::get_config();
  config["keepdims"] = options_.keepdims;
  return config;
}

Shape GlobalPooling2D::build_weights(const Shape& input_shape) {
  const int64_t channels = spatial::image_shape(*this, input_shape)[2];
  return options_.keepdims ? Shape{1, 1, channels} : Shape{channels};
}

GlobalAveragePooling2D::GlobalAveragePooling2D(GlobalPooling2DOptions options)
    : GlobalPooling2D("global_average_pooling2d", options) {}

const registry::Registrar<GlobalAveragePooling2D> global_average_pooling2d_registration("GlobalAveragePooling2D");

std::shared_ptr<GlobalAveragePooling2D> GlobalAveragePooling2D::from_config(const Config& config) {
  return configured(std::make_shared<GlobalAveragePooling2D>(read_config(config, "GlobalAveragePooling2D")), config);
}

torch::Tensor GlobalAveragePooling2D::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.mean({1, 2}, options_.keepdims);
}

GlobalMaxPooling2D::GlobalMaxPooling2D(GlobalPooling2DOptions options)
    : GlobalPooling2D("global_max_pooling2d", options) {}

const registry::Registrar<GlobalMaxPooling2D> global_max_pooling2d_registration("GlobalMaxPooling2D");

std::shared_ptr<GlobalMaxPooling2D> GlobalMaxPooling2D::from_config(const Config& config) {
  return configured(std::make_shared<GlobalMaxPooling2D>(read_config(config, "GlobalMaxPooling2D")), config);
}

torch::Tensor GlobalMaxPooling2D::call(const torch::Tensor& inputs, bool /*training*/) {
  return torch::amax(inputs, {1, 2}, options_.keepdims);
}

io::onnx::Value MaxPooling2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::pool_to_onnx(*this, graph, inputs, 2, "MaxPool");
}

io::onnx::Value AveragePooling2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::pool_to_onnx(*this, graph, inputs, 2, "AveragePool");
}

io::onnx::Value GlobalAveragePooling2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::global_pool_to_onnx(*this, graph, inputs, 2, "ReduceMean", keepdims());
}

io::onnx::Value GlobalMaxPooling2D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::global_pool_to_onnx(*this, graph, inputs, 2, "ReduceMax", keepdims());
}

}  // namespace tkeras::layers
