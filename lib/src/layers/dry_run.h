// A dry run: a layer's output shape found by calling it once on zeros (internal).
#pragma once

#include <functional>

#include <torch/types.h>

#include "tkeras/core/shape.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::dry_run {

/// Calls `forward` on a batch of two zero samples of `input_shape` (float32, with `options`'
/// device), without gradients, and returns the output's shape without the batch axis. Throws
/// `tkeras::Error` naming `layer` when the call throws (with its message) or when the output does
/// not keep the batch axis first.
Shape output_shape(const Layer& layer, const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                   const Shape& input_shape, torch::TensorOptions options);

}  // namespace tkeras::layers::dry_run
