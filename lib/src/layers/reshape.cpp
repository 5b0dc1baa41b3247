// Reshape: a new sample shape, with one size inferred.
#include "tkeras/layers/reshape.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Reshape::Reshape(Shape target_shape) : Layer("reshape"), target_shape_(std::move(target_shape)) {
  const auto unknown = std::count(target_shape_.begin(), target_shape_.end(), -1);
  const bool valid =
      !target_shape_.empty() && unknown <= 1 &&
      std::all_of(target_shape_.begin(), target_shape_.end(), [](int64_t s) { return s > 0 || s == -1; });
  if (!valid) {
    throw Error(fmt::format("Reshape: expected a target shape of positive sizes with at most one -1, received {}",
                            format_batch_shape(target_shape_)));
  }
}

const registry::Registrar<Reshape> reshape_registration("Reshape");

std::shared_ptr<Reshape> Reshape::from_config(const Config& config) {
  return configured(std::make_shared<Reshape>(ConfigReader(config).shape("target_shape", /*allow_unknown=*/true)),
                    config);
}

Config Reshape::get_config() const {
  Config config = Layer::get_config();
  config["target_shape"] = target_shape_;
  return config;
}

Shape Reshape::build_weights(const Shape& input_shape) {
  const int64_t total = element_count(input_shape);
  Shape known_sizes;
  std::copy_if(target_shape_.begin(), target_shape_.end(), std::back_inserter(known_sizes),
               [](int64_t size) { return size != -1; });
  const int64_t known = element_count(known_sizes);
  resolved_shape_ = target_shape_;
  const auto unknown = std::find(resolved_shape_.begin(), resolved_shape_.end(), -1);
  if (unknown != resolved_shape_.end() && total % known == 0) *unknown = total / known;
  if (element_count(resolved_shape_) != total || (unknown != resolved_shape_.end() && *unknown <= 0)) {
    throw Error(fmt::format("Reshape \"{}\": cannot reshape input {} ({} values per sample) to {}", name(),
                            format_batch_shape(input_shape), total, format_batch_shape(target_shape_)));
  }
  return resolved_shape_;
}

torch::Tensor Reshape::call(const torch::Tensor& inputs, bool /*training*/) {
  Shape shape = {inputs.size(0)};
  shape.insert(shape.end(), resolved_shape_.begin(), resolved_shape_.end());
  return inputs.reshape(shape);
}

io::onnx::Value Reshape::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  std::vector<int64_t> target = {0};  // 0: the batch as it comes
  for (int64_t size : output_shape()) target.push_back(size);
  return onnx_export::output(*this, inputs,
                             graph.op("Reshape", {inputs.name, graph.ints(target, name() + "/shape")}, {}, name()));
}

}  // namespace tkeras::layers
