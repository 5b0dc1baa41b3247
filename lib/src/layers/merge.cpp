// Merge: what Keras's merge layers share: a list of inputs, counted; the element-wise shape rule
// (broadcasting, ranks aligned after the batch axis); the ONNX values around each layer's operators.
#include "tkeras/layers/merge.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Merge::Merge(std::string_view base_name, std::string name) : Layer(base_name, std::move(name)) {}

std::string Merge::label() const { return fmt::format("{} \"{}\"", class_name(), name()); }

std::string Merge::format_shapes(const std::vector<Shape>& shapes) {
  std::vector<std::string> texts;
  texts.reserve(shapes.size());
  for (const Shape& shape : shapes) texts.push_back(format_batch_shape(shape));
  return fmt::format("[{}]", fmt::join(texts, ", "));
}

std::string Merge::expected_list() const {
  const std::optional<size_t> count = input_count();
  return count ? fmt::format("a list of {} tensors", *count) : "a list of tensors";
}

std::optional<Shape> Merge::broadcast_shapes(const Shape& a, const Shape& b) {
  const Shape& longer = a.size() >= b.size() ? a : b;
  const Shape& shorter = a.size() >= b.size() ? b : a;
  const size_t offset = longer.size() - shorter.size();
  Shape shape(longer.begin(), longer.begin() + static_cast<std::ptrdiff_t>(offset));
  for (size_t i = 0; i < shorter.size(); ++i) {
    const int64_t x = longer[offset + i];
    const int64_t y = shorter[i];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    shape.push_back(x == 1 ? y : x);
  }
  return shape;
}

Shape Merge::build_weights(const Shape& input_shape) {
  throw Error(fmt::format("{}: expected {}, received one of shape {}", label(), expected_list(),
                          format_batch_shape(input_shape)));
}

Shape Merge::build_list_weights(const std::vector<Shape>& input_shapes) {
  if (const std::optional<size_t> count = input_count(); count && input_shapes.size() != *count) {
    throw Error(fmt::format("{}: expected {}, received {}: {}", label(), expected_list(), input_shapes.size(),
                            format_shapes(input_shapes)));
  }
  return merge_shape(input_shapes);
}

Shape Merge::merge_shape(const std::vector<Shape>& input_shapes) const {
  Shape shape = input_shapes.front();
  for (size_t i = 1; i < input_shapes.size(); ++i) {
    const std::optional<Shape> both = broadcast_shapes(shape, input_shapes[i]);
    if (!both) {
      throw Error(fmt::format(
          "{}: expected input shapes that broadcast together (on each axis, counted from the last, equal sizes or "
          "1), received {}",
          label(), format_shapes(input_shapes)));
    }
    shape = *both;
  }
  return shape;
}

torch::Tensor Merge::call(const torch::Tensor& inputs, bool /*training*/) {
  throw Error(fmt::format("{}: expected {} (call_list), received one of shape {}", label(), expected_list(),
                          format_shape(inputs.sizes().vec())));
}

torch::Tensor Merge::call_list(const std::vector<torch::Tensor>& inputs, bool /*training*/) {
  const std::optional<size_t> count = input_count();
  if (inputs.empty() || (count && inputs.size() != *count)) {
    std::vector<std::string> shapes;
    for (const torch::Tensor& input : inputs) shapes.push_back(format_shape(input.sizes().vec()));
    throw Error(fmt::format("{}: expected {}, received {}{}", label(), expected_list(),
                            inputs.empty() ? "none" : std::to_string(inputs.size()),
                            inputs.empty() ? "" : fmt::format(" of shapes {}", fmt::join(shapes, ", "))));
  }
  if (!aligns_ranks()) return merge(inputs);
  int64_t rank = 0;
  for (const torch::Tensor& input : inputs) rank = std::max(rank, input.dim());
  std::vector<torch::Tensor> aligned;
  aligned.reserve(inputs.size());
  for (torch::Tensor input : inputs) {
    // As Keras's Merge.call: axes of size 1 after the batch axis, so that the sample axes align at the end.
    while (input.dim() < rank) input = input.unsqueeze(1);
    aligned.push_back(std::move(input));
  }
  return merge(aligned);
}

std::string Merge::fold_onnx(io::onnx::GraphBuilder& graph, const std::string& type,
                             const std::vector<io::onnx::Value>& inputs) const {
  std::string result = inputs.front().name;
  for (size_t i = 1; i < inputs.size(); ++i) result = graph.op(type, {result, inputs[i].name}, {}, name());
  // A list of one: an Identity, so that the layer's output is a value of its own (it may be the model's output).
  return inputs.size() == 1 ? graph.op("Identity", {result}, {}, name()) : result;
}

io::onnx::Value Merge::to_onnx_list(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  if (inputs.empty() || (input_count() && inputs.size() != *input_count())) {
    onnx_export::refuse(*this, fmt::format("expected {}, received {}", expected_list(), inputs.size()));
  }
  std::vector<io::onnx::Value> aligned = inputs;
  if (aligns_ranks()) {
    size_t rank = 0;
    for (const io::onnx::Value& input : inputs) rank = std::max(rank, input.shape.size());
    for (io::onnx::Value& input : aligned) {
      if (input.shape.size() == rank) continue;
      std::vector<int64_t> axes;
      for (size_t axis = 1; axis <= rank - input.shape.size(); ++axis) axes.push_back(static_cast<int64_t>(axis));
      input.name = graph.op("Unsqueeze", {input.name, graph.ints(axes, name() + "/axes")}, {}, name());
      input.shape.insert(input.shape.begin(), axes.size(), 1);
    }
  }
  const std::optional<std::string> mask = merge_mask_onnx(graph, inputs);
  return {.name = merge_onnx(graph, aligned), .shape = output_shape(), .mask = mask};
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Merge::call_node(const Node& node,
                                                                      const std::vector<torch::Tensor>& inputs,
                                                                      const std::vector<torch::Tensor>& masks,
                                                                      bool training) {
  if (!node.list) return Layer::call_node(node, inputs, masks, training);
  return {{call_list(inputs, training), merge_mask(masks)}};
}

torch::Tensor Merge::merge_mask(const std::vector<torch::Tensor>& masks) const {
  torch::Tensor mask;
  for (const torch::Tensor& input_mask : masks) {
    if (!input_mask.defined()) return {};
    mask = mask.defined() ? torch::logical_or(mask, input_mask) : input_mask;
  }
  return mask;
}

std::optional<std::string> Merge::merge_mask_onnx(io::onnx::GraphBuilder& graph,
                                                  const std::vector<io::onnx::Value>& inputs) const {
  std::optional<std::string> mask;
  for (const io::onnx::Value& input : inputs) {
    if (!input.mask) return std::nullopt;
    mask = mask ? graph.op("Max", {*mask, *input.mask}, {}, name() + "/mask") : *input.mask;
  }
  return mask;
}

}  // namespace tkeras::layers
