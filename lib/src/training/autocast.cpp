// LibTorch 2.4 replaced the per-device autocast functions (set_enabled for CUDA,
// set_cpu_enabled, set_autocast_gpu_dtype, ...) by ones taking the device type.
#include "training/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define TKERAS_AUTOCAST_BY_DEVICE_TYPE 1
#else
#define TKERAS_AUTOCAST_BY_DEVICE_TYPE 0
#endif

namespace tkeras::training {
namespace {

bool is_enabled(c10::DeviceType type) {
#if TKERAS_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void set_enabled(c10::DeviceType type, bool enabled) {
#if TKERAS_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(type, enabled);
#else
  if (type == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

c10::ScalarType get_dtype(c10::DeviceType type) {
#if TKERAS_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                       : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_dtype(c10::DeviceType type, c10::ScalarType dtype) {
#if TKERAS_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (type == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

AutocastGuard::AutocastGuard(c10::Device device, bool enabled) : type_(device.type()), enabled_(enabled) {
  if (!enabled_) return;
  previous_enabled_ = is_enabled(type_);
  previous_dtype_ = get_dtype(type_);
  previous_cache_ = at::autocast::is_autocast_cache_enabled();
  set_enabled(type_, true);
  set_dtype(type_, c10::ScalarType::BFloat16);
  at::autocast::set_autocast_cache_enabled(false);
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  at::autocast::set_autocast_cache_enabled(previous_cache_);
  set_dtype(type_, previous_dtype_);
  set_enabled(type_, previous_enabled_);
}

}  // namespace tkeras::training
