// Dry runs: one call on zeros, with LibTorch's errors turned into tkeras's.
#include "layers/dry_run.h"

#include <exception>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::dry_run {

Shape output_shape(const Layer& layer, const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                   const Shape& input_shape, torch::TensorOptions options) {
  constexpr int64_t kBatch = 2;
  Shape batch_shape = {kBatch};
  batch_shape.insert(batch_shape.end(), input_shape.begin(), input_shape.end());
  const auto fail = [&](std::string_view problem) -> Error {
    return Error(fmt::format("{} \"{}\": calling it on input of shape {} to find its output shape failed: {}",
                             layer.class_name(), layer.name(), format_batch_shape(input_shape), problem));
  };
  torch::Tensor output;
  try {
    const torch::NoGradGuard no_grad;
    output = forward(torch::zeros(batch_shape, options.dtype(torch::kFloat32)));
  } catch (const c10::Error& error) {
    throw fail(error.what_without_backtrace());
  } catch (const std::exception& error) {
    throw fail(error.what());
  }
  if (!output.defined() || output.dim() < 1 || output.size(0) != kBatch) {
    throw fail(fmt::format("expected an output of shape [batch, ...] with the batch axis first, received {}",
                           output.defined() ? format_shape(output.sizes().vec()) : "an undefined tensor"));
  }
  return Shape(output.sizes().begin() + 1, output.sizes().end());
}

}  // namespace tkeras::layers::dry_run
