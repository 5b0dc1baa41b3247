// The helpers every layer's ONNX export shares.
#include "layers/onnx_export.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::onnx_export {

void refuse(const Layer& layer, const std::string& why) {
  throw Error(
      fmt::format("export_onnx: {} \"{}\" cannot be exported to ONNX: {}", layer.class_name(), layer.name(), why));
}

torch::Tensor weight(const Layer& layer, const std::string& name) {
  for (const auto& [weight_name, value] : layer.named_weights()) {
    if (weight_name == name) return value.detach().to(torch::kCPU, torch::kFloat32);
  }
  return {};
}

std::vector<int64_t> ints_of(const Config& value) {
  if (value.is_number_integer()) return {value.get<int64_t>()};
  return value.get<std::vector<int64_t>>();
}

Value output(const Layer& layer, const Value& inputs, std::string name) {
  return {.name = std::move(name),
          .shape = layer.output_shape(),
          .mask = layer.supports_masking() ? inputs.mask : std::nullopt};
}

}  // namespace tkeras::layers::onnx_export
