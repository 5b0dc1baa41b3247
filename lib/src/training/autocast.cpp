// LibTorch's autocast, switched on for one scope and restored after it.
#include "training/autocast.h"

#include <ATen/autocast_mode.h>

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

}  // namespace tkeras::training
