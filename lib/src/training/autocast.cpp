// LibTorch's autocast, switched on for one scope and restored after it.
#include "training/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

namespace tkeras::training {

AutocastGuard::AutocastGuard(c10::Device device, bool enabled) : type_(device.type()), enabled_(enabled) {
  if (!enabled_) return;
  previous_enabled_ = at::autocast::is_autocast_enabled(type_);
  previous_dtype_ = at::autocast::get_autocast_dtype(type_);
  previous_cache_ = at::autocast::is_autocast_cache_enabled();
  at::autocast::set_autocast_enabled(type_, true);
  at::autocast::set_autocast_dtype(type_, c10::ScalarType::BFloat16);
  at::autocast::set_autocast_cache_enabled(false);
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  at::autocast::set_autocast_cache_enabled(previous_cache_);
  at::autocast::set_autocast_dtype(type_, previous_dtype_);
  at::autocast::set_autocast_enabled(type_, previous_enabled_);
}

std::vector<torch::Tensor> output_logits(layers::Layer& network, const std::vector<torch::Tensor>& x, bool training,
                                         c10::Device device, bool bf16_mixed) {
  if (!bf16_mixed) return network.call_logits(x, training);
  std::vector<torch::Tensor> logits;
  {
    const AutocastGuard autocast(device, true);
    logits = network.call_logits(x, training);
  }
  for (torch::Tensor& output : logits) output = output.to(torch::kFloat32);
  return logits;
}

}  // namespace tkeras::training
