// Tests for device resolution.
#include "tkeras/core/device.h"

#include <doctest/doctest.h>
#include <torch/cuda.h>

#include "tkeras/core/error.h"

TEST_CASE("auto picks CUDA when LibTorch sees a GPU, else the CPU") {
  const torch::Device device = tkeras::resolve_device("auto");
  CHECK(device.is_cuda() == torch::cuda::is_available());
}

TEST_CASE("cpu is always available") { CHECK(tkeras::resolve_device("cpu") == torch::Device(torch::kCPU)); }

TEST_CASE("an unknown device name lists the valid ones") {
  CHECK_THROWS_WITH_AS(tkeras::resolve_device("gpu"),
                       "compile: unknown device \"gpu\"; expected one of: auto, cpu, cuda, cuda:N", tkeras::Error);
}

TEST_CASE("cuda is refused with a clear error where CUDA is not available") {
  if (torch::cuda::is_available()) {
    CHECK(tkeras::resolve_device("cuda").is_cuda());
    CHECK_THROWS_WITH_AS(tkeras::resolve_device("cuda:x"), doctest::Contains("expected cuda:N with N in 0.."),
                         tkeras::Error);
    return;
  }
  CHECK_THROWS_WITH_AS(tkeras::resolve_device("cuda"), doctest::Contains("CUDA is not available"), tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::resolve_device("cuda:0"), doctest::Contains("CUDA is not available"), tkeras::Error);
}
