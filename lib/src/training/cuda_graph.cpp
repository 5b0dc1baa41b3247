// CUDA graphs through LibTorch's at::cuda::CUDAGraph; built with CUDA only where LibTorch has it
// (TKERAS_WITH_CUDA, set by lib/CMakeLists.txt).
#include "training/cuda_graph.h"

#include <utility>

#include <fmt/format.h>

#include "tkeras/core/error.h"

#if TKERAS_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace tkeras::training {

#if TKERAS_WITH_CUDA

struct CudaGraph::Impl {
  c10::DeviceIndex index;
  c10::cuda::CUDAStream stream;
  std::unique_ptr<at::cuda::CUDAGraph> graph;

  explicit Impl(c10::DeviceIndex device_index)
      : index(device_index), stream(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device_index)) {}

  // Runs `function` with the side stream current, after all work so far and before any later.
  void on_stream(const std::function<void()>& function) {
    const c10::cuda::CUDAGuard device_guard(index);
    c10::cuda::device_synchronize();
    {
      const c10::cuda::CUDAStreamGuard stream_guard(stream);
      function();
    }
    c10::cuda::device_synchronize();
  }
};

namespace {

c10::DeviceIndex cuda_index(c10::Device device) {
  if (!device.is_cuda()) {
    throw Error(fmt::format("CUDA graph: expected a CUDA device, received {}", device.str()));
  }
  return device.has_index() ? device.index() : c10::cuda::current_device();
}

}  // namespace

CudaGraph::CudaGraph(c10::Device device) : impl_(std::make_unique<Impl>(cuda_index(device))) {}

void CudaGraph::warm_up(const std::function<void()>& function) { impl_->on_stream(function); }

void CudaGraph::capture(const std::function<void()>& function) {
  impl_->graph = std::make_unique<at::cuda::CUDAGraph>();
  impl_->on_stream([&] {
    impl_->graph->capture_begin();
    try {
      function();
    } catch (...) {
      // End the capture so that the stream works again; its own error adds nothing.
      try {
        impl_->graph->capture_end();
      } catch (...) {
      }
      impl_->graph.reset();
      throw;
    }
    impl_->graph->capture_end();
  });
}

bool CudaGraph::captured() const { return impl_->graph != nullptr; }

void CudaGraph::replay() {
  if (!impl_->graph) throw Error("CUDA graph: replay() before a successful capture()");
  const c10::cuda::CUDAGuard device_guard(impl_->index);
  impl_->graph->replay();
}

#else

struct CudaGraph::Impl {};

CudaGraph::CudaGraph(c10::Device device) {
  throw Error(
      fmt::format("CUDA graph on {}: this tkeras was built against a LibTorch without CUDA; rebuild it "
                  "against a CUDA LibTorch, or compile with jit = false",
                  device.str()));
}

// Unreachable, since the constructor throws; defined so that the class links.
void CudaGraph::warm_up(const std::function<void()>& function) { function(); }

void CudaGraph::capture(const std::function<void()>& /*function*/) {}

bool CudaGraph::captured() const { return false; }

void CudaGraph::replay() {}

#endif

CudaGraph::~CudaGraph() = default;

}  // namespace tkeras::training
