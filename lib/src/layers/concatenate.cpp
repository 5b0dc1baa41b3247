// Concatenate: LibTorch's cat along Keras's axis (the batch axis counted), with Keras's shape check.
#include "tkeras/layers/concatenate.h"

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

std::string Concatenate::merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  std::vector<std::string> names;
  names.reserve(inputs.size());
  for (const io::onnx::Value& input : inputs) names.push_back(input.name);
  const auto rank = static_cast<int64_t>(inputs.front().shape.size()) + 1;
  return graph.op("Concat", std::move(names), {io::onnx::Attribute::of("axis", axis_ < 0 ? axis_ + rank : axis_)},
                  name());
}

}  // namespace tkeras::layers
