// CudaGraph: captures the CUDA work of a function once and replays it (internal).
#pragma once

#include <functional>
#include <memory>

#include <c10/core/Device.h>

namespace tkeras::training {

/// One CUDA graph, built on LibTorch's `at::cuda::CUDAGraph`. The work runs and is captured on a
/// side stream (capture needs one), with the device synchronized before and after; replays run
/// on the current stream. Memory allocated during the capture comes from the graph's private
/// pool and stays reserved for it, so the captured addresses stay valid across replays.
///
/// In a tkeras built against a LibTorch without CUDA (where no CUDA device can be selected), the
/// constructor throws `tkeras::Error`.
class CudaGraph {
 public:
  /// A graph for `device` (a CUDA device; index -1 means the current one).
  explicit CudaGraph(c10::Device device);
  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  /// Runs `function` eagerly on the capture stream, so that what LibTorch creates lazily per
  /// stream (cuBLAS workspaces, cuDNN plans) exists before the capture.
  void warm_up(const std::function<void()>& function);
  /// Captures the CUDA work `function` launches, without running it. Rethrows what `function`
  /// throws (LibTorch refuses host syncs and other uncapturable calls during a capture), with
  /// the capture ended and the graph left empty.
  void capture(const std::function<void()>& function);
  /// Whether `capture` succeeded.
  bool captured() const;
  /// Launches the captured work on the current stream.
  void replay();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tkeras::training
