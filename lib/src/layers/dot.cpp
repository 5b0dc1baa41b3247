// Dot: Keras's batch_dot (the dot axis of the first input last, the second's first after the batch,
// the other axes flattened around one matmul), and Keras's L2 normalization before it.
#include "tkeras/layers/dot.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

// Keras's normalize(x, axis, order=2): x * min(rsqrt(sum(x^2)), 1 / epsilon), epsilon 1e-7.
constexpr double kInverseEpsilon = 1e7;

torch::Tensor l2_normalize(const torch::Tensor& x, int64_t axis) {
  return x * torch::clamp_max(torch::rsqrt(x.square().sum(axis, /*keepdim=*/true)), kInverseEpsilon);
}

}  // namespace

Dot::Dot(DotAxes axes, DotOptions options)
    : Merge("dot", std::move(options.name)), axes_(axes), normalize_(options.normalize) {
  if (axes_.first == 0 || axes_.second == 0) {
    throw Error(
        fmt::format("Dot: expected axes of the samples (1, 2... or -1, -2...), received axes {}; axis 0 is "
                    "the batch axis",
                    axes_text()));
  }
}

const registry::Registrar<Dot> dot_registration("Dot");

std::shared_ptr<Dot> Dot::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& axes = read.at("axes");
  const auto axes_of = [&]() -> DotAxes {
    if (axes.is_number_integer()) return axes.get<int64_t>();
    if (axes.is_array() && axes.size() == 2 && axes[0].is_number_integer() && axes[1].is_number_integer()) {
      return {axes[0].get<int64_t>(), axes[1].get<int64_t>()};
    }
    throw Error(fmt::format("Dot: expected \"axes\" as an integer or [first, second], received {}", axes.dump()));
  };
  return configured(std::make_shared<Dot>(axes_of(), DotOptions{.normalize = read.boolean("normalize", false)}),
                    config);
}

Config Dot::get_config() const {
  Config config = Layer::get_config();
  config["axes"] = axes_.one_number ? Config(axes_.first) : Config({axes_.first, axes_.second});
  config["normalize"] = normalize_;
  return config;
}

std::string Dot::axes_text() const {
  return axes_.one_number ? std::to_string(axes_.first) : fmt::format("({}, {})", axes_.first, axes_.second);
}

std::optional<std::array<int64_t, 2>> Dot::resolved_axes(int64_t first_rank, int64_t second_rank) const {
  const int64_t first = axes_.first < 0 ? axes_.first + first_rank : axes_.first;
  const int64_t second = axes_.second < 0 ? axes_.second + second_rank : axes_.second;
  if (first < 1 || first >= first_rank || second < 1 || second >= second_rank) return std::nullopt;
  return std::array<int64_t, 2>{first, second};
}

Shape Dot::merge_shape(const std::vector<Shape>& input_shapes) const {
  const Shape& first = input_shapes[0];
  const Shape& second = input_shapes[1];
  const auto axes = resolved_axes(static_cast<int64_t>(first.size()) + 1, static_cast<int64_t>(second.size()) + 1);
  if (!axes) {
    throw Error(
        fmt::format("{}: expected axes that name a sample axis of each input (from 1 to rank - 1 or from "
                    "-(rank - 1) to -1, the batch axis counted in the rank), received axes {} for inputs {}",
                    label(), axes_text(), format_shapes(input_shapes)));
  }
  const auto first_at = static_cast<size_t>((*axes)[0] - 1);
  const auto second_at = static_cast<size_t>((*axes)[1] - 1);
  if (first[first_at] != second[second_at]) {
    throw Error(
        fmt::format("{}: expected inputs of equal sizes on the dot axes, received {} on axis {} of {} and {} "
                    "on axis {} of {}",
                    label(), first[first_at], (*axes)[0], format_batch_shape(first), second[second_at], (*axes)[1],
                    format_batch_shape(second)));
  }
  Shape shape;
  for (size_t i = 0; i < first.size(); ++i) {
    if (i != first_at) shape.push_back(first[i]);
  }
  for (size_t i = 0; i < second.size(); ++i) {
    if (i != second_at) shape.push_back(second[i]);
  }
  if (shape.empty()) shape.push_back(1);
  return shape;
}

torch::Tensor Dot::merge(const std::vector<torch::Tensor>& inputs) const {
  torch::Tensor x = inputs[0];
  torch::Tensor y = inputs[1];
  const auto axes = resolved_axes(x.dim(), y.dim());
  if (!axes) {
    throw Error(
        fmt::format("{}: expected axes that name a sample axis of each input, received axes {} for inputs "
                    "of shapes {} and {}",
                    label(), axes_text(), format_shape(x.sizes().vec()), format_shape(y.sizes().vec())));
  }
  const auto [x_axis, y_axis] = *axes;
  if (normalize_) {
    x = l2_normalize(x, x_axis);
    y = l2_normalize(y, y_axis);
  }
  // As Keras's batch_dot: x's dot axis last and y's first after the batch, their other axes in
  // order; each input as [batch, rest, depth] and [batch, depth, rest] around one matmul.
  std::vector<int64_t> x_order{0};
  std::vector<int64_t> y_order{0, y_axis};
  std::vector<int64_t> x_rest;
  std::vector<int64_t> y_rest;
  for (int64_t i = 1; i < x.dim(); ++i) {
    if (i == x_axis) continue;
    x_order.push_back(i);
    x_rest.push_back(x.size(i));
  }
  x_order.push_back(x_axis);
  for (int64_t i = 1; i < y.dim(); ++i) {
    if (i == y_axis) continue;
    y_order.push_back(i);
    y_rest.push_back(y.size(i));
  }
  const int64_t batch = x.size(0);
  const int64_t depth = x.size(x_axis);
  const torch::Tensor products = torch::matmul(x.permute(x_order).reshape({batch, element_count(x_rest), depth}),
                                               y.permute(y_order).reshape({y.size(0), depth, element_count(y_rest)}));
  std::vector<int64_t> shape{batch};
  shape.insert(shape.end(), x_rest.begin(), x_rest.end());
  shape.insert(shape.end(), y_rest.begin(), y_rest.end());
  if (shape.size() == 1) shape.push_back(1);
  return products.reshape(shape);
}

std::string Dot::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  using io::onnx::Attribute;
  const Shape& x_shape = inputs[0].shape;
  const Shape& y_shape = inputs[1].shape;
  const auto axes = resolved_axes(static_cast<int64_t>(x_shape.size()) + 1, static_cast<int64_t>(y_shape.size()) + 1);
  if (!axes) onnx_export::refuse(*this, fmt::format("axes {} name no sample axis of its inputs", axes_text()));
  const auto [x_axis, y_axis] = *axes;
  const auto normalized = [&](std::string value, int64_t axis) {
    if (!normalize_) return value;
    const std::string squares =
        graph.op("ReduceSumSquare", {value},
                 {Attribute::of("axes", std::vector<int64_t>{axis}), Attribute::of("keepdims", int64_t{1})}, name());
    const std::string inverse = graph.op("Reciprocal", {graph.op("Sqrt", {squares}, {}, name())}, {}, name());
    const std::string bound =
        graph.constant(torch::tensor(static_cast<float>(kInverseEpsilon)), name() + "/inverse_epsilon");
    return graph.op("Mul", {value, graph.op("Min", {inverse, bound}, {}, name())}, {}, name());
  };
  // The dot axis moved (last in x, first after the batch in y), then the three-axis forms matmul takes.
  std::vector<int64_t> x_order{0};
  std::vector<int64_t> y_order{0, y_axis};
  std::vector<int64_t> x_rest;
  std::vector<int64_t> y_rest;
  for (int64_t i = 1; i <= static_cast<int64_t>(x_shape.size()); ++i) {
    if (i == x_axis) continue;
    x_order.push_back(i);
    x_rest.push_back(x_shape[static_cast<size_t>(i - 1)]);
  }
  x_order.push_back(x_axis);
  for (int64_t i = 1; i <= static_cast<int64_t>(y_shape.size()); ++i) {
    if (i == y_axis) continue;
    y_order.push_back(i);
    y_rest.push_back(y_shape[static_cast<size_t>(i - 1)]);
  }
  const int64_t depth = x_shape[static_cast<size_t>(x_axis - 1)];
  const auto arranged = [&](std::string value, const std::vector<int64_t>& order, std::vector<int64_t> shape) {
    bool moved = false;
    for (size_t i = 0; i < order.size(); ++i) moved = moved || order[i] != static_cast<int64_t>(i);
    if (moved) value = graph.op("Transpose", {value}, {Attribute::of("perm", order)}, name());
    // 0: the batch size, as the input has it.
    return graph.op("Reshape", {value, graph.ints(shape, name() + "/shape")}, {}, name());
  };
  const std::string x = arranged(normalized(inputs[0].name, x_axis), x_order, {0, element_count(x_rest), depth});
  const std::string y = arranged(normalized(inputs[1].name, y_axis), y_order, {0, depth, element_count(y_rest)});
  std::vector<int64_t> shape{0};
  shape.insert(shape.end(), x_rest.begin(), x_rest.end());
  shape.insert(shape.end(), y_rest.begin(), y_rest.end());
  if (shape.size() == 1) shape.push_back(1);
  return graph.op("Reshape", {graph.op("MatMul", {x, y}, {}, name()), graph.ints(shape, name() + "/shape")}, {},
                  name());
}

}  // namespace tkeras::layers
