// The 2-D layers' shared arithmetic.
#include "layers/spatial.h"

#include <algorithm>

#include <fmt/format.h>

#include "layers/onnx_export.h"
#include "tkeras/core/error.h"

namespace tkeras::layers::spatial {

void check_padding(std::string_view layer, std::string_view padding) {
  if (padding != "valid" && padding != "same") {
    throw Error(fmt::format("{}: expected padding \"valid\" or \"same\", received \"{}\"", layer, padding));
  }
}

void check_positive(std::string_view layer, std::string_view what, const Size2& size) {
  if (size.height <= 0 || size.width <= 0) {
    throw Error(fmt::format("{}: expected a positive {}, received {}x{}", layer, what, size.height, size.width));
  }
}

void check_dilation(std::string_view layer, const Size2& strides, const Size2& dilation_rate) {
  check_positive(layer, "dilation_rate", dilation_rate);
  if (std::max(strides.height, strides.width) > 1 && std::max(dilation_rate.height, dilation_rate.width) > 1) {
    throw Error(fmt::format(
        "{}: strides > 1 is not compatible with dilation_rate > 1, received strides = {}x{} and dilation_rate = {}x{}",
        layer, strides.height, strides.width, dilation_rate.height, dilation_rate.width));
  }
}

Size2 read_size2(const ConfigReader& read, std::string_view key, Size2 fallback) {
  if (!read.has(key)) return fallback;
  const auto [height, width] = read.size2(key);
  return {height, width};
}

Shape image_shape(const Layer& layer, const Shape& input_shape) {
  if (input_shape.size() == 3) return input_shape;
  // As Keras, a 2-D layer takes (height, width, channels) samples only: [N, 28, 28] digits need
  // a channel axis first.
  throw Error(fmt::format("{} \"{}\": expected input of rank 4 (batch, height, width, channels), received {}{}",
                          layer.class_name(), layer.name(), format_batch_shape(input_shape),
                          input_shape.size() == 2 ? fmt::format("; add the channel axis with Reshape({{{}, {}, 1}})",
                                                                input_shape[0], input_shape[1])
                                                  : ""));
}

Windows windows(const Layer& layer, const Shape& image, const Size2& window, const Size2& strides,
                std::string_view padding, std::string_view what, const Size2& dilation) {
  const bool same = padding == "same";
  const Size2 span((window.height - 1) * dilation.height + 1, (window.width - 1) * dilation.width + 1);
  if (!same && (span.height > image[0] || span.width > image[1])) {
    const std::string dilated = dilation == Size2(1)
                                    ? std::string()
                                    : fmt::format(" dilated by {}x{} (spanning {}x{})", dilation.height, dilation.width,
                                                  span.height, span.width);
    throw Error(fmt::format("{} \"{}\": {} {}x{}{} is larger than its input {}x{} (input shape {})", layer.class_name(),
                            layer.name(), what, window.height, window.width, dilated, image[0], image[1],
                            format_batch_shape(image)));
  }
  auto one_axis = [&](int64_t size, int64_t k, int64_t s, int64_t& before, int64_t& after) {
    if (!same) {
      before = after = 0;
      return (size - k) / s + 1;
    }
    const int64_t out = (size + s - 1) / s;
    const int64_t total = std::max<int64_t>((out - 1) * s + k - size, 0);
    before = total / 2;
    after = total - before;
    return out;
  };
  Windows result{};
  result.height = one_axis(image[0], span.height, strides.height, result.padding[2], result.padding[3]);
  result.width = one_axis(image[1], span.width, strides.width, result.padding[0], result.padding[1]);
  return result;
}

int64_t read_size_1d(const ConfigReader& read, std::string_view key, int64_t fallback) {
  if (!read.has(key)) return fallback;
  const Config& value = read.at(key);
  if (value.is_array() && value.size() == 1 && value[0].is_number_integer()) return value[0].get<int64_t>();
  if (value.is_number_integer()) return value.get<int64_t>();
  throw Error(fmt::format("expected \"{}\" as an integer or a list of one integer, received {}", key, value.dump()));
}

void refuse_channels_first(const ConfigReader& read, std::string_view class_name) {
  const std::string data_format = read.string("data_format", "channels_last");
  if (data_format != "channels_last") {
    throw Error(fmt::format("{}: data_format \"{}\" is not supported by tkeras; expected \"channels_last\"", class_name,
                            data_format));
  }
}

Shape sequence_shape(const Layer& layer, const Shape& input_shape) {
  if (input_shape.size() == 2) return input_shape;
  // As Keras, a 1-D layer takes (steps, channels) samples only: a series of single values needs a
  // channel axis of 1 first.
  throw Error(fmt::format(
      "{} \"{}\": expected input of rank 3 (batch, steps, channels), received {}{}", layer.class_name(), layer.name(),
      format_batch_shape(input_shape),
      input_shape.size() == 1 ? fmt::format("; add the channel axis with Reshape({{{}, 1}})", input_shape[0]) : ""));
}

Windows1D windows_1d(const Layer& layer, int64_t steps, int64_t window, int64_t strides, int64_t dilation,
                     std::string_view padding, std::string_view what) {
  const int64_t span = (window - 1) * dilation + 1;
  if (padding == "causal") return {(steps - 1) / strides + 1, span - 1, 0};
  if (padding == "same") {
    const int64_t out = (steps + strides - 1) / strides;
    const int64_t total = std::max<int64_t>((out - 1) * strides + span - steps, 0);
    return {out, total / 2, total - total / 2};
  }
  if (span > steps) {
    throw Error(fmt::format("{} \"{}\": {} of {} steps is longer than its input of {} steps", layer.class_name(),
                            layer.name(), what, span, steps));
  }
  return {(steps - span) / strides + 1, 0, 0};
}

torch::Tensor channels_first(const torch::Tensor& images) { return images.permute({0, 3, 1, 2}); }

torch::Tensor channels_last(const torch::Tensor& images) { return images.permute({0, 2, 3, 1}); }

torch::Tensor pad(const torch::Tensor& images, const std::array<int64_t, 4>& padding, double value) {
  if (padding == std::array<int64_t, 4>{0, 0, 0, 0}) return images;
  return torch::constant_pad_nd(images, {padding[0], padding[1], padding[2], padding[3]}, value);
}

torch::Tensor conv2d(const torch::Tensor& images, const torch::Tensor& weight, const torch::Tensor& bias,
                     const Size2& strides, const std::array<int64_t, 4>& padding, const Size2& dilation,
                     int64_t groups) {
  torch::Tensor x = channels_first(images);
  // LibTorch pads symmetrically; Keras's "same" pads one more at the end when the total is odd.
  const bool symmetric = padding[0] == padding[1] && padding[2] == padding[3];
  if (!symmetric) x = pad(x, padding, 0.0);
  const std::array<int64_t, 2> stride = {strides.height, strides.width};
  const std::array<int64_t, 2> torch_padding = {symmetric ? padding[2] : 0, symmetric ? padding[0] : 0};
  const std::array<int64_t, 2> dilations = {dilation.height, dilation.width};
  return channels_last(torch::conv2d(x, weight, bias, stride, torch_padding, dilations, groups));
}

io::onnx::Value conv_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                             int spatial, const torch::Tensor& grouped_kernel, int64_t groups,
                             const std::vector<int64_t>& pads) {
  using io::onnx::Attribute;
  using onnx_export::ints_of;
  const Config config = layer.get_config();
  const std::string& name = layer.name();
  const size_t rank = static_cast<size_t>(spatial) + 2;
  const torch::Tensor kernel = onnx_export::weight(layer, "kernel");  // [k..., in, out]
  const torch::Tensor w = grouped_kernel.defined() ? grouped_kernel
                          : spatial == 1           ? kernel.permute({2, 1, 0})
                                                   : kernel.permute({3, 2, 0, 1});
  std::vector<std::string> operands = {graph.to_channels_first(inputs.name, rank, name),
                                       graph.constant(w, name + "/kernel")};
  if (const torch::Tensor bias = onnx_export::weight(layer, "bias"); bias.defined())
    operands.push_back(graph.constant(bias, name + "/bias"));
  const std::vector<int64_t> size = ints_of(config.at("kernel_size"));
  std::vector<int64_t> dilations(static_cast<size_t>(spatial), 1);
  if (config.contains("dilation_rate")) dilations = ints_of(config["dilation_rate"]);
  if (dilations.size() == 1 && spatial == 2) dilations.push_back(dilations[0]);
  std::vector<Attribute> attributes = {Attribute::of("dilations", dilations), Attribute::of("kernel_shape", size),
                                       Attribute::of("strides", ints_of(config.at("strides")))};
  if (groups > 1) attributes.push_back(Attribute::of("group", groups));
  const std::string padding = config.value("padding", "valid");
  if (!pads.empty()) {
    attributes.push_back(Attribute::of("pads", pads));
  } else if (padding == "causal") {
    // Keras pads causal convolutions on the left only: (kernel - 1) * dilation steps.
    const int64_t left = (size[0] - 1) * dilations[0];
    operands[0] = graph.op("Pad", {operands[0], graph.ints({0, 0, left, 0, 0, 0}, name + "/pads")}, {}, name);
    attributes.push_back(Attribute::of("auto_pad", std::string("VALID")));
  } else {
    attributes.push_back(Attribute::of("auto_pad", io::onnx::auto_pad(padding)));
  }
  const io::onnx::Value out = onnx_export::output(
      layer, inputs, graph.to_channels_last(graph.op("Conv", operands, attributes, name), rank, name));
  return onnx_export::activation(layer, graph, out, layer.activation());
}

std::vector<int64_t> onnx_pads(const std::array<int64_t, 4>& padding) {
  return {padding[2], padding[0], padding[3], padding[1]};
}

io::onnx::Value pool_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                             int spatial, const std::string& type) {
  using io::onnx::Attribute;
  const Config config = layer.get_config();
  const std::string& name = layer.name();
  const size_t rank = static_cast<size_t>(spatial) + 2;
  std::vector<Attribute> attributes = {Attribute::of("auto_pad", io::onnx::auto_pad(config.value("padding", "valid"))),
                                       Attribute::of("kernel_shape", onnx_export::ints_of(config.at("pool_size"))),
                                       Attribute::of("strides", onnx_export::ints_of(config.at("strides")))};
  return onnx_export::output(
      layer, inputs,
      graph.to_channels_last(graph.op(type, {graph.to_channels_first(inputs.name, rank, name)}, attributes, name), rank,
                             name));
}

io::onnx::Value global_pool_to_onnx(const Layer& layer, io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                                    int spatial, const std::string& type, bool keepdims) {
  using io::onnx::Attribute;
  const std::vector<int64_t> axes = spatial == 2 ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1};
  return {.name = graph.op(type, {inputs.name},
                           {Attribute::of("axes", axes), Attribute::of("keepdims", int64_t{keepdims ? 1 : 0})},
                           layer.name()),
          .shape = layer.output_shape(),
          .mask = std::nullopt};
}

}  // namespace tkeras::layers::spatial
