// One gradient step of fit: eager, or with jit on static buffers and, on CUDA, a CUDA graph.
#include "training/train_step.h"

#include <exception>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/activity_losses.h"
#include "tkeras/core/error.h"
#include "training/autocast.h"

namespace tkeras::training {

TrainStep::TrainStep(layers::Layer& network, CompiledState& state, Updater& updater, Heads& heads, int64_t batch_size)
    : network_(network),
      state_(state),
      updater_(updater),
      heads_(heads),
      regularization_(network),
      batch_size_(batch_size) {}

TrainStep::~TrainStep() = default;

void TrainStep::device_work(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                            const std::vector<torch::Tensor>& w) {
  updater_.zero_grad();
  const layers::detail::ActivityLosses activity;
  std::vector<torch::Tensor> logits = output_logits(network_, x, /*training=*/true, state_.device, state_.bf16_mixed);
  const torch::Tensor loss = regularization_.add_penalties(activity.add_to(heads_.loss(y, logits, w)));
  // As Keras: with no trainable weight (every layer frozen) there is nothing to differentiate.
  if (updater_.has_weights()) {
    (loss_scale_ == 1.0 ? loss : loss * loss_scale_).backward();
    updater_.apply();
    regularization_.constrain();
  }

  const torch::NoGradGuard no_grad;
  for (torch::Tensor& output : logits) output = output.detach();
  heads_.accumulate(loss.detach(), x.front().size(0), y, logits, w);
}

void TrainStep::count(int64_t batch_size) {
  if (updater_.has_weights()) updater_.count_step();
  heads_.count(batch_size);
}

void TrainStep::empty_step() {
  updater_.zero_grad();
  if (updater_.has_weights()) {
    updater_.apply();
    regularization_.constrain();
    updater_.count_step();
  }
}

void TrainStep::run(const StepBatch& batch) {
  if (batch.size() == 0) {
    empty_step();
    return;
  }
  loss_scale_ = static_cast<double>(batch.size()) / static_cast<double>(batch.global_size());
  // The static buffers are made for the first full batch: later ones run through them when they
  // are like it (the same size, sample weights or none).
  if (state_.jit && batch.size() == batch_size_ && (static_x_.empty() || static_w_.empty() != batch.weighted())) {
    run_static(batch);
    return;
  }
  device_work(batch.inputs(), batch.targets(), batch.sample_weights());
  count(batch.size());
}

void TrainStep::run_static(const StepBatch& batch) {
  if (static_x_.empty()) {
    const auto buffers = [&](const std::vector<torch::Tensor>& data) {
      std::vector<torch::Tensor> made;
      for (const torch::Tensor& tensor : data) {
        std::vector<int64_t> shape = tensor.sizes().vec();
        shape[0] = batch_size_;
        made.push_back(torch::empty(shape, tensor.options()));
      }
      return made;
    };
    static_x_ = buffers(batch.batches != nullptr ? batch.batches->x : batch.x);
    static_y_ = buffers(batch.batches != nullptr ? batch.batches->y : batch.y);
    if (batch.weighted()) {
      static_w_ = buffers(batch.batches != nullptr ? batch.batches->w : batch.w);
    }
  }
  batch.copy_to(static_x_, static_y_, static_w_);
  // Gloo's collectives cannot be captured (NCCL's can): the step then runs on the static buffers
  // without a graph.
  if (!state_.device.is_cuda() || (state_.group && !state_.group->capturable())) {
    // No graph to capture on the CPU: the same step, run as it would be captured.
    device_work(static_x_, static_y_, static_w_);
    count(batch_size_);
    return;
  }
  // A weight given new storage since the capture (a device move) invalidates the graph.
  if (captured() && !updater_.weights_in_place()) {
    graph_.reset();
    warm_ups_ = 0;
  }
  if (!graph_) graph_ = std::make_unique<CudaGraph>(state_.device);
  if (!graph_->captured()) {
    if (warm_ups_ < kWarmUpSteps) {
      graph_->warm_up([&] { device_work(static_x_, static_y_, static_w_); });
      count(batch_size_);
      ++warm_ups_;
      return;
    }
    try {
      graph_->capture([&] { device_work(static_x_, static_y_, static_w_); });
    } catch (const std::exception& error) {
      throw Error(
          fmt::format("fit: jit could not capture the train step as a CUDA graph ({}); compile with jit = "
                      "false to train without one",
                      error.what()));
    }
  }
  graph_->replay();
  count(batch_size_);
}

}  // namespace tkeras::training
