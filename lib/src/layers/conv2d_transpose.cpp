// Conv2DTranspose: LibTorch's transposed convolution on a channels-last view, cropped as Keras's
// torch backend crops it.
#include "tkeras/layers/conv2d_transpose.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

// One axis of Keras's transposed convolution (backend_utils.py,
// compute_conv_transpose_output_crops_for_torch): what to crop from LibTorch's full output
// (input - 1) * stride + span at the front and the back; a negative back crop adds zeros.
struct Crop {
  int64_t front;
  int64_t back;
};

Crop keras_crop(int64_t kernel, int64_t stride, int64_t dilation, bool same, std::optional<int64_t> output_padding) {
  const int64_t span = (kernel - 1) * dilation + 1;
  int64_t left = 0;
  int64_t right = 0;
  if (!same) {
    // Output (input - 1) * stride + max(span, stride) by default.
    const int64_t extra = output_padding.value_or(std::max(span, stride) - span);
    left = span - 1;
    right = span - 1 + extra;
  } else {
    // Output input * stride by default, else (input - 1) * stride + span % 2 + output_padding.
    const int64_t total = output_padding ? span + span % 2 - 2 + *output_padding : stride + span - 2;
    left = std::min(total / 2 + total % 2, span - 1);
    right = total - left;
  }
  return {span - 1 - left, span - 1 - right};
}

// Keras's output_padding: null, a number or [rows, columns], each >= 0.
std::optional<Size2> read_output_padding(const ConfigReader& read) {
  if (!read.has("output_padding")) return std::nullopt;
  const Config& value = read.at("output_padding");
  if (value.is_null()) return std::nullopt;
  const auto non_negative = [](const Config& v) { return v.is_number_integer() && v.get<int64_t>() >= 0; };
  if (non_negative(value)) return Size2(value.get<int64_t>());
  if (value.is_array() && value.size() == 2 && non_negative(value[0]) && non_negative(value[1])) {
    return Size2(value[0].get<int64_t>(), value[1].get<int64_t>());
  }
  throw Error(fmt::format(
      "Conv2DTranspose: expected \"output_padding\" as null, an integer >= 0 or [rows, columns], received {}",
      value.dump()));
}

}  // namespace

Conv2DTranspose::Conv2DTranspose(int64_t filters, Size2 kernel_size, Conv2DTransposeOptions options)
    : Layer("conv2d_transpose"),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  if (filters <= 0) {
    throw Error(fmt::format("Conv2DTranspose: expected a positive number of filters, received {}", filters));
  }
  spatial::check_positive("Conv2DTranspose", "kernel_size", kernel_size_);
  spatial::check_positive("Conv2DTranspose", "strides", options_.strides);
  spatial::check_padding("Conv2DTranspose", options_.padding);
  if (const std::optional<Size2>& extra = options_.output_padding; extra) {
    if (extra->height < 0 || extra->width < 0 || extra->height >= options_.strides.height ||
        extra->width >= options_.strides.width) {
      throw Error(fmt::format(
          "Conv2DTranspose: expected an output_padding >= 0 and below strides, received output_padding = {}x{} and "
          "strides = {}x{}",
          extra->height, extra->width, options_.strides.height, options_.strides.width));
    }
  }
  spatial::check_dilation("Conv2DTranspose", options_.strides, options_.dilation_rate);
}

const registry::Registrar<Conv2DTranspose> conv2d_transpose_registration("Conv2DTranspose");

std::shared_ptr<Conv2DTranspose> Conv2DTranspose::from_config(const Config& config) {
  const ConfigReader read(config);
  spatial::refuse_channels_first(read, "Conv2DTranspose");
  const auto [height, width] = read.size2("kernel_size");
  return configured(std::make_shared<Conv2DTranspose>(
                        read.positive_int("filters"), Size2(height, width),
                        Conv2DTransposeOptions{.strides = spatial::read_size2(read, "strides", 1),
                                               .padding = read.string("padding", "valid"),
                                               .output_padding = read_output_padding(read),
                                               .dilation_rate = spatial::read_size2(read, "dilation_rate", 1),
                                               .activation = read.string("activation", "linear"),
                                               .use_bias = read.boolean("use_bias", true)}),
                    config);
}

Config Conv2DTranspose::get_config() const {
  Config config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = {kernel_size_.height, kernel_size_.width};
  config["strides"] = {options_.strides.height, options_.strides.width};
  config["padding"] = options_.padding;
  config["output_padding"] = options_.output_padding
                                 ? Config{options_.output_padding->height, options_.output_padding->width}
                                 : Config(nullptr);
  config["data_format"] = "channels_last";
  config["dilation_rate"] = {options_.dilation_rate.height, options_.dilation_rate.width};
  config["activation"] = activation();
  config["use_bias"] = options_.use_bias;
  return config;
}

Shape Conv2DTranspose::build_weights(const Shape& input_shape) {
  const Shape image = spatial::image_shape(*this, input_shape);
  const bool same = options_.padding == "same";
  const std::optional<Size2>& extra = options_.output_padding;
  const Crop rows = keras_crop(kernel_size_.height, options_.strides.height, options_.dilation_rate.height, same,
                               extra ? std::optional<int64_t>(extra->height) : std::nullopt);
  const Crop columns = keras_crop(kernel_size_.width, options_.strides.width, options_.dilation_rate.width, same,
                                  extra ? std::optional<int64_t>(extra->width) : std::nullopt);
  crop_front_ = {rows.front, columns.front};
  crop_back_ = {rows.back, columns.back};
  const auto output_size = [](int64_t size, int64_t kernel, int64_t stride, int64_t dilation, const Crop& crop) {
    return (size - 1) * stride + (kernel - 1) * dilation + 1 - crop.front - crop.back;
  };
  const int64_t height =
      output_size(image[0], kernel_size_.height, options_.strides.height, options_.dilation_rate.height, rows);
  const int64_t width =
      output_size(image[1], kernel_size_.width, options_.strides.width, options_.dilation_rate.width, columns);
  if (height <= 0 || width <= 0) {
    throw Error(fmt::format("Conv2DTranspose \"{}\": its output would be empty ({}x{}) for input shape {}", name(),
                            height, width, format_batch_shape(input_shape)));
  }
  const int64_t channels = image[2];
  // Glorot-uniform with Keras's fans of a [kh, kw, filters, channels] kernel.
  const double receptive = static_cast<double>(kernel_size_.height) * static_cast<double>(kernel_size_.width);
  const double limit = std::sqrt(6.0 / (receptive * static_cast<double>(filters_ + channels)));
  const torch::TensorOptions options = initializer_options();
  kernel_ = add_weight(
      "kernel",
      torch::empty({kernel_size_.height, kernel_size_.width, filters_, channels}, options).uniform_(-limit, limit));
  if (options_.use_bias) bias_ = add_weight("bias", torch::zeros({filters_}, options));
  return {height, width, filters_};
}

torch::Tensor Conv2DTranspose::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  // LibTorch crops `padding` from both ends and adds `output_padding` rows at the back (computed,
  // or zeros past its full output): the common crops go to it, the rest is a narrowing view.
  std::array<int64_t, 2> padding{};
  std::array<int64_t, 2> output_padding{};
  for (size_t axis = 0; axis < 2; ++axis) {
    padding[axis] = crop_back_[axis] >= 0 ? std::min(crop_front_[axis], crop_back_[axis]) : 0;
    output_padding[axis] = crop_back_[axis] < 0 ? -crop_back_[axis] : 0;
  }
  const std::array<int64_t, 2> stride = {options_.strides.height, options_.strides.width};
  const std::array<int64_t, 2> dilation = {options_.dilation_rate.height, options_.dilation_rate.width};
  // Keras's [kh, kw, filters, channels] -> LibTorch's [channels, filters, kh, kw], a view.
  torch::Tensor outputs = torch::conv_transpose2d(spatial::channels_first(inputs), kernel_.permute({3, 2, 0, 1}), bias_,
                                                  stride, padding, output_padding, /*groups=*/1, dilation);
  for (size_t axis = 0; axis < 2; ++axis) {
    const int64_t front = crop_front_[axis] - padding[axis];
    const int64_t back = std::max<int64_t>(crop_back_[axis], 0) - padding[axis];
    const auto dim = static_cast<int64_t>(axis) + 2;
    if (front != 0 || back != 0) outputs = outputs.narrow(dim, front, outputs.size(dim) - front - back);
  }
  return spatial::channels_last(outputs);
}

torch::Tensor Conv2DTranspose::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value Conv2DTranspose::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& name = this->name();
  // ONNX's ConvTranspose takes the crops as pads {top, left, bottom, right} and the zeros added
  // at the back as output_padding, its kernel as LibTorch's [channels, filters, kh, kw].
  const torch::Tensor kernel = onnx_export::weight(*this, "kernel");
  std::vector<std::string> operands = {graph.to_channels_first(inputs.name, 4, name),
                                       graph.constant(kernel.permute({3, 2, 0, 1}).contiguous(), name + "/kernel")};
  if (const torch::Tensor bias = onnx_export::weight(*this, "bias"); bias.defined())
    operands.push_back(graph.constant(bias, name + "/bias"));
  const std::vector<Attribute> attributes = {
      Attribute::of("dilations", std::vector<int64_t>{options_.dilation_rate.height, options_.dilation_rate.width}),
      Attribute::of("kernel_shape", std::vector<int64_t>{kernel_size_.height, kernel_size_.width}),
      Attribute::of("output_padding",
                    std::vector<int64_t>{std::max<int64_t>(-crop_back_[0], 0), std::max<int64_t>(-crop_back_[1], 0)}),
      Attribute::of("pads", std::vector<int64_t>{crop_front_[0], crop_front_[1], std::max<int64_t>(crop_back_[0], 0),
                                                 std::max<int64_t>(crop_back_[1], 0)}),
      Attribute::of("strides", std::vector<int64_t>{options_.strides.height, options_.strides.width})};
  const io::onnx::Value out = onnx_export::output(
      *this, inputs, graph.to_channels_last(graph.op("ConvTranspose", operands, attributes, name), 4, name));
  return onnx_export::activation(*this, graph, out, activation());
}

}  // namespace tkeras::layers
