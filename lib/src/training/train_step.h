// TrainStep: one gradient step of fit, eager or captured as a CUDA graph (internal).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <torch/types.h>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"
#include "training/compiled_state.h"
#include "training/cuda_graph.h"
#include "training/epoch_iterator.h"
#include "training/heads.h"
#include "training/metrics.h"
#include "training/regularization.h"

namespace tkeras::training {

/// Trains a network (a model: it is a layer) on one batch at a time: forward (under autocast with
/// bf16-mixed), loss (with the weights' penalties), backward, optimizer update (then the weights'
/// constraints), and the metrics' device work. It knows nothing
/// of models: the network, its compiled state, its updater and the metrics are given.
///
/// Data-parallel (the state has a process group), each process trains on its rows of the batch:
/// its mean loss is scaled by its share of the rows before backward, and the updater sums the
/// gradients over the processes. A process with no rows joins the sum with zeros.
///
/// Without jit each batch runs eagerly. With jit, full batches go through static input buffers
/// with a capturable optimizer; on CUDA the first `kWarmUpSteps` of them run eagerly on the
/// capture stream, the next is captured as one CUDA graph, and every full batch from then on
/// (across epochs of this fit) is copied into the buffers and replays it. A batch of another
/// size (the last one), or with sample weights where the captured one had none (or the
/// reverse), runs eagerly. The host counts each step (optimizer iterations, metric
/// counts) itself, so a replay reads nothing back from the device.
class TrainStep {
 public:
  /// Eager steps run before the capture, so that LibTorch's lazily created workspaces exist.
  static constexpr int kWarmUpSteps = 3;

  /// A step for `network` as `state` compiled it, updating the weights of `updater` and adding
  /// into `heads`' losses and metrics, for batches of `batch_size`. All four must outlive the step.
  TrainStep(layers::Layer& network, CompiledState& state, Updater& updater, Heads& heads, int64_t batch_size);
  ~TrainStep();
  TrainStep(const TrainStep&) = delete;
  TrainStep& operator=(const TrainStep&) = delete;

  /// Trains on `batch`.
  void run(const StepBatch& batch);
  /// Whether a CUDA graph has been captured (and is being replayed).
  bool captured() const { return graph_ && graph_->captured(); }

 private:
  // Everything but the host bookkeeping, which `count` does. `w`: sample weights per output, or
  // none.
  void device_work(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                   const std::vector<torch::Tensor>& w);
  // Data-parallel, a process without rows in this batch: it still joins the gradients' all-reduce.
  void empty_step();
  void count(int64_t batch_size);
  void run_static(const StepBatch& batch);

  layers::Layer& network_;
  CompiledState& state_;
  Updater& updater_;
  Heads& heads_;
  Regularization regularization_;
  int64_t batch_size_;
  std::vector<torch::Tensor> static_x_, static_y_, static_w_;
  std::unique_ptr<CudaGraph> graph_;
  int warm_ups_ = 0;
  // Data-parallel: this process's rows over the batch's, so that the processes' gradients sum to
  // the whole batch's mean (1 on one process).
  double loss_scale_ = 1.0;
};

}  // namespace tkeras::training
