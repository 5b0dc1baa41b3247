// Concatenate: LibTorch's cat along Keras's axis (the batch axis counted), with Keras's shape check.
#include "tkeras/layers/concatenate.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Concatenate::Concatenate(int64_t axis, ConcatenateOptions options)
    : Merge("concatenate", std::move(options.name)), axis_(axis) {
  if (axis_ == 0) {
    throw Error("Concatenate: expected an axis of the samples (1, 2... or -1, -2...), received axis 0, the batch axis");
  }
}

const registry::Registrar<Concatenate> concatenate_registration("Concatenate");

std::shared_ptr<Concatenate> Concatenate::from_config(const Config& config) {
  const ConfigReader read(config);
  int64_t axis = -1;
  if (read.has("axis")) {
    const Config& value = read.at("axis");
    if (!value.is_number_integer()) {
      throw Error(fmt::format("Concatenate: expected \"axis\" as an integer, received {}", value.dump()));
    }
    axis = value.get<int64_t>();
  }
  return configured(std::make_shared<Concatenate>(axis), config);
}

Config Concatenate::get_config() const {
  Config config = Layer::get_config();
  config["axis"] = axis_;
  return config;
}

Shape Concatenate::merge_shape(const std::vector<Shape>& input_shapes) const {
  const auto rank = static_cast<int64_t>(input_shapes.front().size()) + 1;  // with the batch axis
  const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 1 || axis >= rank) {
    throw Error(
        fmt::format("{}: expected an axis from 1 to {} or from -{} to -1 for inputs of rank {}, received "
                    "axis {} for inputs {}",
                    label(), rank - 1, rank - 1, rank, axis_, format_shapes(input_shapes)));
  }
  const auto at = static_cast<size_t>(axis - 1);
  Shape shape = input_shapes.front();
  for (size_t i = 1; i < input_shapes.size(); ++i) {
    const Shape& other = input_shapes[i];
    bool matches = other.size() == shape.size();
    for (size_t j = 0; matches && j < shape.size(); ++j) matches = j == at || other[j] == shape[j];
    if (!matches) {
      throw Error(
          fmt::format("{}: expected inputs of one rank whose shapes match except on the concatenation axis "
                      "(axis {}), received {}",
                      label(), axis_, format_shapes(input_shapes)));
    }
    shape[at] += other[at];
  }
  return shape;
}

torch::Tensor Concatenate::merge(const std::vector<torch::Tensor>& inputs) const { return torch::cat(inputs, axis_); }

namespace {

// Whether `axis` (Keras's, with the batch axis) is the time axis of inputs of `rank` sample axes.
bool joins_steps(int64_t axis, size_t rank) {
  return axis == 1 || (axis < 0 && axis + static_cast<int64_t>(rank) + 1 == 1);
}

}  // namespace

torch::Tensor Concatenate::merge_mask(const std::vector<torch::Tensor>& masks) const {
  const auto given = std::find_if(masks.begin(), masks.end(), [](const torch::Tensor& m) { return m.defined(); });
  if (given == masks.end()) return {};
  if (!joins_steps(axis_, input_shapes().front().size())) return Merge::merge_mask(masks);
  std::vector<torch::Tensor> joined;
  for (size_t i = 0; i < masks.size(); ++i) {
    joined.push_back(masks[i].defined() ? masks[i]
                                        : torch::ones({given->size(0), input_shapes()[i].front()}, given->options()));
  }
  return torch::cat(joined, 1);
}

std::optional<std::string> Concatenate::merge_mask_onnx(io::onnx::GraphBuilder& graph,
                                                        const std::vector<io::onnx::Value>& inputs) const {
  const bool any =
      std::any_of(inputs.begin(), inputs.end(), [](const io::onnx::Value& v) { return v.mask.has_value(); });
  if (!any) return std::nullopt;
  if (!joins_steps(axis_, inputs.front().shape.size())) return Merge::merge_mask_onnx(graph, inputs);
  std::vector<std::string> masks;
  for (const io::onnx::Value& input : inputs) {
    if (!input.mask) {
      onnx_export::refuse(*this,
                          "joins along the steps a masked and an unmasked sequence; ONNX export has no "
                          "mapping for that mask");
    }
    masks.push_back(*input.mask);
  }
  return graph.op("Concat", std::move(masks), {io::onnx::Attribute::of("axis", int64_t{1})}, name() + "/mask");
}

std::string Concatenate::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  std::vector<std::string> names;
  names.reserve(inputs.size());
  for (const io::onnx::Value& input : inputs) names.push_back(input.name);
  const auto rank = static_cast<int64_t>(inputs.front().shape.size()) + 1;
  return graph.op("Concat", std::move(names), {io::onnx::Attribute::of("axis", axis_ < 0 ? axis_ + rank : axis_)},
                  name());
}

}  // namespace tkeras::layers
