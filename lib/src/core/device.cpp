// Device resolution for compile({.device}).
#include "tkeras/core/device.h"

#include <fmt/format.h>
#include <torch/cuda.h>

#include "tkeras/core/error.h"

namespace tkeras {

torch::Device resolve_device(std::string_view name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.starts_with("cuda:")) {
    if (!torch::cuda::is_available()) {
      throw Error(fmt::format(
          "compile: device \"{}\" requested, but CUDA is not available (LibTorch built without CUDA, or no GPU "
          "visible); use device \"auto\" or \"cpu\"",
          name));
    }
    if (name == "cuda") return torch::Device(torch::kCUDA);
    const std::string_view index_text = name.substr(5);
    int64_t index = -1;
    const bool all_digits = !index_text.empty() && index_text.size() < 6 &&
                            index_text.find_first_not_of("0123456789") == std::string_view::npos;
    if (all_digits) index = std::stoll(std::string(index_text));
    const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
    if (index < 0 || index >= count) {
      throw Error(fmt::format("compile: device \"{}\": expected cuda:N with N in 0..{}, received \"{}\"", name,
                              count - 1, index_text));
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(fmt::format("compile: unknown device \"{}\"; expected one of: auto, cpu, cuda, cuda:N", name));
}

}  // namespace tkeras
