// UnitNormalization as Keras's normalize: x * min(rsqrt(sum(x^2)), 1 / epsilon), epsilon 1e-12.
#include "tkeras/layers/unit_normalization.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {
// Keras's UnitNormalization calls normalize with epsilon 1e-12: the inverse norm is capped at 1e12.
constexpr double kInverseNormCap = 1e12;
}  // namespace

UnitNormalization::UnitNormalization(UnitNormalizationOptions options)
    : Layer("unit_normalization"), options_(std::move(options)) {
  if (options_.axis.empty()) throw Error("UnitNormalization: expected at least one axis, received axis=[]");
}

const registry::Registrar<UnitNormalization> unit_normalization_registration("UnitNormalization");

std::shared_ptr<UnitNormalization> UnitNormalization::from_config(const Config& config) {
  const ConfigReader read(config);
  std::vector<int64_t> axis = UnitNormalizationOptions{}.axis;
  if (read.has("axis")) {
    const Config& value = read.at("axis");
    const auto bad = [&] {
      return Error(fmt::format("UnitNormalization: expected axis as an integer or a list of integers, received {}",
                               value.dump()));
    };
    if (value.is_number_integer()) {
      axis = {value.get<int64_t>()};
    } else if (value.is_array()) {
      axis.clear();
      for (const Config& each : value) {
        if (!each.is_number_integer()) throw bad();
        axis.push_back(each.get<int64_t>());
      }
    } else {
      throw bad();
    }
  }
  return configured(std::make_shared<UnitNormalization>(UnitNormalizationOptions{.axis = std::move(axis)}), config);
}

Config UnitNormalization::get_config() const {
  Config config = Layer::get_config();
  // Keras writes the axis as it was given: a number, or a list.
  if (options_.axis.size() == 1) {
    config["axis"] = options_.axis.front();
  } else {
    config["axis"] = options_.axis;
  }
  return config;
}

Shape UnitNormalization::build_weights(const Shape& input_shape) {
  const auto rank = static_cast<int64_t>(input_shape.size()) + 1;
  axes_.clear();
  for (const int64_t given : options_.axis) {
    if (given < -rank || given >= rank) {
      throw Error(fmt::format("UnitNormalization \"{}\": expected axes in [{}, {}) for input {}, received axis={}",
                              name(), -rank, rank, format_batch_shape(input_shape), options_.axis));
    }
    axes_.push_back(given < 0 ? given + rank : given);
  }
  std::sort(axes_.begin(), axes_.end());
  if (std::adjacent_find(axes_.begin(), axes_.end()) != axes_.end()) {
    throw Error(fmt::format("UnitNormalization \"{}\": expected each axis once for input {}, received axis={}", name(),
                            format_batch_shape(input_shape), options_.axis));
  }
  return input_shape;
}

torch::Tensor UnitNormalization::call(const torch::Tensor& inputs, bool /*training*/) {
  const torch::Tensor inverse_norm = torch::rsqrt(inputs.square().sum(axes_, /*keepdim=*/true));
  return inputs * torch::clamp_max(inverse_norm, kInverseNormCap);
}

io::onnx::Value UnitNormalization::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const std::string& layer = name();
  const std::string squares = graph.op("ReduceSumSquare", {inputs.name},
                                       {Attribute::of("axes", axes_), Attribute::of("keepdims", int64_t{1})}, layer);
  const std::string inverse = graph.op("Reciprocal", {graph.op("Sqrt", {squares}, {}, layer)}, {}, layer);
  const std::string cap = graph.constant(torch::tensor(static_cast<float>(kInverseNormCap)), layer + "/cap");
  const std::string capped = graph.op("Min", {inverse, cap}, {}, layer);
  return onnx_export::output(*this, inputs, graph.op("Mul", {inputs.name, capped}, {}, layer));
}

}  // namespace tkeras::layers
