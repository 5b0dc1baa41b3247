// One gradient step of fit: eager, or with jit on static buffers and, on CUDA, a CUDA graph.
#include "training/train_step.h"

#include <exception>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "training/autocast.h"

namespace tkeras::training {

TrainStep::TrainStep(layers::Layer& network, CompiledState& state, Updater& updater, MetricsTracker& tracker,
                     int64_t batch_size)
    : network_(network),
      state_(state),
      updater_(updater),
      tracker_(tracker),
      batch_size_(batch_size),
      activation_(network.activation()),
      apply_activation_(activations::get(activation_)) {}

TrainStep::~TrainStep() = default;

void TrainStep::device_work(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& w) {
  updater_.zero_grad();
  const torch::Tensor logits = output_logits(network_, x, /*training=*/true, state_.device, state_.bf16_mixed);
  const torch::Tensor loss = state_.loss->from_layer_output(y, logits, activation_, w);
  // As Keras: with no trainable weight (every layer frozen) there is nothing to differentiate.
  if (updater_.has_weights()) {
    (loss_scale_ == 1.0 ? loss : loss * loss_scale_).backward();
    updater_.apply();
  }

  const torch::NoGradGuard no_grad;
  tracker_.accumulate(loss.detach(), x.size(0), y, logits.detach(), activation_, apply_activation_, w);
}

void TrainStep::count(int64_t batch_size, bool weighted) {
  if (updater_.has_weights()) updater_.count_step();
  tracker_.count(batch_size, weighted);
}

void TrainStep::empty_step() {
  updater_.zero_grad();
  if (updater_.has_weights()) {
    updater_.apply();
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
  if (state_.jit && batch.size() == batch_size_ && (!static_x_.defined() || static_w_.defined() == batch.weighted())) {
    run_static(batch);
    return;
  }
  device_work(batch.inputs(), batch.targets(), batch.sample_weights());
  count(batch.size(), batch.weighted());
}

void TrainStep::run_static(const StepBatch& batch) {
  if (!static_x_.defined()) {
    const torch::Tensor x = batch.batches != nullptr ? batch.batches->x : batch.x;
    const torch::Tensor y = batch.batches != nullptr ? batch.batches->y : batch.y;
    std::vector<int64_t> x_shape = x.sizes().vec();
    std::vector<int64_t> y_shape = y.sizes().vec();
    x_shape[0] = y_shape[0] = batch_size_;
    static_x_ = torch::empty(x_shape, x.options());
    static_y_ = torch::empty(y_shape, y.options());
    if (batch.weighted()) static_w_ = torch::empty({batch_size_}, x.options().dtype(torch::kFloat32));
  }
  const bool weighted = static_w_.defined();
  batch.copy_to(static_x_, static_y_, static_w_);
  // Gloo's collectives cannot be captured (NCCL's can): the step then runs on the static buffers
  // without a graph.
  if (!state_.device.is_cuda() || (state_.group && !state_.group->capturable())) {
    // No graph to capture on the CPU: the same step, run as it would be captured.
    device_work(static_x_, static_y_, static_w_);
    count(batch_size_, weighted);
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
      count(batch_size_, weighted);
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
  count(batch_size_, weighted);
}

}  // namespace tkeras::training
