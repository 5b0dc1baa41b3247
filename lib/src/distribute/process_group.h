// ProcessGroup: the c10d process group a data-parallel job trains in (internal).
#pragma once

#include <memory>
#include <string_view>

#include <torch/types.h>

#include "distribute/launch_environment.h"
#include "tkeras/distribute/data_parallel.h"

namespace tkeras::distribute::detail {

/// The job's c10d backend (Gloo, or NCCL on CUDA) and rendezvous store. One per process: `join`
/// makes it, and later joins of the same job return it. Every collective waits at most the
/// options' timeout; a failure throws `tkeras::Error` naming this rank, the ranks that stopped
/// answering, and the cause.
class ProcessGroup {
 public:
  /// Joins the job `options` and the launcher describe, training on `device` (NCCL needs CUDA).
  /// Returns null for a job of one process with the "auto" backend. Throws `tkeras::Error` when the rendezvous does not
  /// complete within the timeout, or when this process already joined another job.
  static std::shared_ptr<ProcessGroup> join(const DataParallel& options, const torch::Device& device);
  /// The group this process joined, or null.
  static ProcessGroup* current();

  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return env_.rank; }
  int size() const { return env_.world_size; }
  int local_rank() const { return env_.local_rank; }
  /// Whether the collectives are NCCL's, which a CUDA graph can capture.
  bool capturable() const { return nccl_; }

  /// Sums `tensor` over all processes, in place; `what` names it in errors.
  void all_reduce_sum(torch::Tensor& tensor, std::string_view what);
  /// Copies rank 0's `tensor` into every process's, in place.
  void broadcast(torch::Tensor& tensor, std::string_view what);

 private:
  struct Impl;
  ProcessGroup(LaunchEnvironment env, const DataParallel& options, const torch::Device& device);
  [[noreturn]] void fail(std::string_view what, const std::exception& cause);
  template <typename Collective>
  void run(torch::Tensor& tensor, std::string_view what, Collective&& collective);

  LaunchEnvironment env_;
  torch::Device device_;  // the training device, where NCCL's tensors must be
  bool nccl_ = false;
  double timeout_ = 0.0;
  int failures_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tkeras::distribute::detail
