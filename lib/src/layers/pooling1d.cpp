// 1-D pooling on channels-first views, with Keras's "same" padding and GlobalAveragePooling1D's mask.
#include "tkeras/layers/pooling1d.h"

#include <limits>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Pooling1D::Pooling1D(std::string_view prefix, std::string_view class_name, int64_t pool_size, Pooling1DOptions options)
    : Layer(prefix),
      pool_size_(pool_size),
      strides_(options.strides.value_or(pool_size)),
      padding_mode_(std::move(options.padding)) {
  if (pool_size_ <= 0)
    throw Error(fmt::format("{}: expected a positive pool_size, received {}", class_name, pool_size_));
  if (strides_ <= 0) throw Error(fmt::format("{}: expected positive strides, received {}", class_name, strides_));
  spatial::check_padding(class_name, padding_mode_);
}

std::pair<int64_t, Pooling1DOptions> Pooling1D::read_config(const Config& config) {
  const ConfigReader read(config);
  Pooling1DOptions options{.strides = std::nullopt, .padding = read.string("padding", "valid")};
  if (read.has("strides")) options.strides = spatial::read_size_1d(read, "strides", 0);
  return {spatial::read_size_1d(read, "pool_size", 2), options};
}

Config Pooling1D::get_config() const {
  Config config = Layer::get_config();
  config["pool_size"] = pool_size_;
  config["strides"] = strides_;
  config["padding"] = padding_mode_;
  return config;
}

Shape Pooling1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  const spatial::Windows1D out =
      spatial::windows_1d(*this, sequence[0], pool_size_, strides_, 1, padding_mode_, "pool");
  pad_front_ = out.before;
  pad_back_ = out.after;
  return {out.steps, sequence[1]};
}

torch::Tensor Pooling1D::padded_channels_first(const torch::Tensor& inputs, double value) const {
  torch::Tensor x = inputs.transpose(1, 2);
  if (pad_front_ == 0 && pad_back_ == 0) return x;
  return torch::constant_pad_nd(x, {pad_front_, pad_back_}, value);
}

MaxPooling1D::MaxPooling1D(int64_t pool_size, Pooling1DOptions options)
    : Pooling1D("max_pooling1d", "MaxPooling1D", pool_size, std::move(options)) {}

const registry::Registrar<MaxPooling1D> max_pooling1d_registration("MaxPooling1D");

std::shared_ptr<MaxPooling1D> MaxPooling1D::from_config(const Config& config) {
  spatial::refuse_channels_first(ConfigReader(config), "MaxPooling1D");
  auto [pool_size, options] = read_config(config);
  return configured(std::make_shared<MaxPooling1D>(pool_size, std::move(options)), config);
}

torch::Tensor MaxPooling1D::call(const torch::Tensor& inputs, bool /*training*/) {
  const torch::Tensor x = padded_channels_first(inputs, -std::numeric_limits<double>::infinity());
  return torch::max_pool1d(x, pool_size_, strides_).transpose(1, 2);
}

AveragePooling1D::AveragePooling1D(int64_t pool_size, Pooling1DOptions options)
    : Pooling1D("average_pooling1d", "AveragePooling1D", pool_size, std::move(options)) {}

const registry::Registrar<AveragePooling1D> average_pooling1d_registration("AveragePooling1D");

std::shared_ptr<AveragePooling1D> AveragePooling1D::from_config(const Config& config) {
  spatial::refuse_channels_first(ConfigReader(config), "AveragePooling1D");
  auto [pool_size, options] = read_config(config);
  return configured(std::make_shared<AveragePooling1D>(pool_size, std::move(options)), config);
}

torch::Tensor AveragePooling1D::call(const torch::Tensor& inputs, bool /*training*/) {
  torch::Tensor pooled = torch::avg_pool1d(padded_channels_first(inputs, 0.0), pool_size_, strides_);
  if (pad_front_ != 0 || pad_back_ != 0) {
    // Keras averages border windows over the steps inside the sequence only.
    const torch::Tensor ones = torch::ones({1, 1, inputs.size(1)}, inputs.options());
    pooled =
        pooled / torch::avg_pool1d(torch::constant_pad_nd(ones, {pad_front_, pad_back_}, 0.0), pool_size_, strides_);
  }
  return pooled.transpose(1, 2);
}

GlobalPooling1D::GlobalPooling1D(std::string_view prefix, GlobalPooling1DOptions options)
    : Layer(prefix), options_(options) {}

GlobalPooling1DOptions GlobalPooling1D::read_config(const Config& config, std::string_view class_name) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, class_name);
  return {.keepdims = read.boolean("keepdims", false)};
}

Config GlobalPooling1D::get_config() const {
  Config config = Layer::get_config();
  config["keepdims"] = options_.keepdims;
  return config;
}

Shape GlobalPooling1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  return options_.keepdims ? Shape{1, sequence[1]} : Shape{sequence[1]};
}

GlobalAveragePooling1D::GlobalAveragePooling1D(GlobalPooling1DOptions options)
    : GlobalPooling1D("global_average_pooling1d", options) {}

const registry::Registrar<GlobalAveragePooling1D> global_average_pooling1d_registration("GlobalAveragePooling1D");

std::shared_ptr<GlobalAveragePooling1D> GlobalAveragePooling1D::from_config(const Config& config) {
  return configured(std::make_shared<GlobalAveragePooling1D>(read_config(config, "GlobalAveragePooling1D")), config);
}

torch::Tensor GlobalAveragePooling1D::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.mean(1, options_.keepdims);
}

torch::Tensor GlobalAveragePooling1D::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                     bool training) {
  if (!mask.defined()) return call(inputs, training);
  if (mask.dim() != 2 || mask.size(0) != inputs.size(0) || mask.size(1) != inputs.size(1)) {
    throw Error(
        fmt::format("GlobalAveragePooling1D \"{}\": expected a mask of shape [{}, {}] (batch, steps), "
                    "received {}",
                    name(), inputs.size(0), inputs.size(1), format_shape(mask.sizes().vec())));
  }
  // The mean of the unmasked steps: 0 / 0 = NaN where a row is all masked, as in Keras.
  const torch::Tensor keep = mask.to(torch::kBool).unsqueeze(2);
  const torch::Tensor total = torch::where(keep, inputs, torch::zeros({}, inputs.options())).sum(1, options_.keepdims);
  return total / keep.to(inputs.scalar_type()).sum(1, options_.keepdims);
}

torch::Tensor GlobalAveragePooling1D::compute_mask(const torch::Tensor& /*inputs*/,
                                                   const torch::Tensor& /*mask*/) const {
  return {};
}

GlobalMaxPooling1D::GlobalMaxPooling1D(GlobalPooling1DOptions options)
    : GlobalPooling1D("global_max_pooling1d", options) {}

const registry::Registrar<GlobalMaxPooling1D> global_max_pooling1d_registration("GlobalMaxPooling1D");

std::shared_ptr<GlobalMaxPooling1D> GlobalMaxPooling1D::from_config(const Config& config) {
  return configured(std::make_shared<GlobalMaxPooling1D>(read_config(config, "GlobalMaxPooling1D")), config);
}

torch::Tensor GlobalMaxPooling1D::call(const torch::Tensor& inputs, bool /*training*/) {
  return std::get<0>(inputs.max(1, options_.keepdims));
}

io::onnx::Value MaxPooling1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::pool_to_onnx(*this, graph, inputs, 1, "MaxPool");
}

io::onnx::Value AveragePooling1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::pool_to_onnx(*this, graph, inputs, 1, "AveragePool");
}

io::onnx::Value GlobalAveragePooling1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  if (!inputs.mask) return spatial::global_pool_to_onnx(*this, graph, inputs, 1, "ReduceMean", keepdims());
  // Keras's masked mean: the sum over the steps that count, over their number.
  using io::onnx::Attribute;
  const std::string& layer = name();
  const Attribute keep = Attribute::of("keepdims", int64_t{keepdims() ? 1 : 0});
  const std::string mask = graph.op("Unsqueeze", {*inputs.mask, graph.ints({2}, layer + "/axes")}, {}, layer);
  const std::string sum = graph.op(
      "ReduceSum", {graph.op("Mul", {inputs.name, mask}, {}, layer), graph.ints({1}, layer + "/axes")}, {keep}, layer);
  const std::string count = graph.op("ReduceSum", {mask, graph.ints({1}, layer + "/axes")}, {keep}, layer);
  return {.name = graph.op("Div", {sum, count}, {}, layer), .shape = output_shape(), .mask = std::nullopt};
}

io::onnx::Value GlobalMaxPooling1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return spatial::global_pool_to_onnx(*this, graph, inputs, 1, "ReduceMax", keepdims());
}

}  // namespace tkeras::layers
