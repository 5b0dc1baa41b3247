// Device: how tkeras turns "auto", "cpu", "cuda" and "cuda:N" into a LibTorch device.
#pragma once

#include <string_view>

#include <torch/types.h>

namespace tkeras {

/// Resolves a device name as `compile({.device = ...})` takes it.
///
/// `"auto"` picks `cuda` when LibTorch sees a CUDA device, else `cpu`; `"cpu"`, `"cuda"` and
/// `"cuda:N"` force one. Throws `tkeras::Error` for other names, and for CUDA when LibTorch
/// has no CUDA device or `N` is out of range.
torch::Device resolve_device(std::string_view name);

}  // namespace tkeras
