// CompiledState: the compile settings and the one place the optimizer's updater is made.
#include "training/compiled_state.h"

#include <torch/torch.h>

namespace tkeras::training {

CompiledState::CompiledState(optimizers::Optimizer optimizer, std::vector<Head> output_heads,
                             torch::Device compile_device, bool use_jit, bool use_bf16_mixed)
    : heads(std::move(output_heads)),
      device(compile_device),
      jit(use_jit),
      bf16_mixed(use_bf16_mixed),
      optimizer_(std::move(optimizer)) {}

Updater& CompiledState::updater(const std::vector<torch::Tensor>& trainable_weights) {
  if (!updater_) {
    updater_ = std::make_unique<Updater>(optimizer_, trainable_weights, /*capturable=*/jit);
  } else {
    updater_->set_weights(trainable_weights);
  }
  return *updater_;
}

void CompiledState::set_learning_rate(double learning_rate) {
  optimizer_.set_learning_rate(learning_rate);
  if (updater_) updater_->set_learning_rate(learning_rate);
}

}  // namespace tkeras::training
