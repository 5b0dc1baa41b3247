// AutocastGuard: LibTorch's mixed precision for one scope (internal).
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/types.h>

#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::training {

/// While alive, and when `enabled`, runs the ops on `device`'s type under LibTorch's autocast to
/// bfloat16: matrix products and convolutions in bfloat16, softmax, reductions and losses in
/// float32, weights left float32. Autocast's cache of cast weights is off, since the weights
/// change every step (and a CUDA graph must cast them inside the graph). Restores the previous
/// state on destruction. A disabled guard does nothing.
class AutocastGuard {
 public:
  AutocastGuard(c10::Device device, bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType type_;
  bool enabled_;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Undefined;
  bool previous_cache_ = false;
};

/// `network`'s outputs before their last activations on `x` (one tensor per input). With
/// `bf16_mixed` the layers run under autocast on `device` and the results are cast to float32, so
/// that the output activations, the losses and the metrics run in float32 on every device and
/// CPU, whatever autocast's op lists say; without it, this is `network.call_logits(x, training)`.
std::vector<torch::Tensor> output_logits(layers::Layer& network, const std::vector<torch::Tensor>& x, bool training,
                                         c10::Device device, bool bf16_mixed);

}  // namespace tkeras::training
