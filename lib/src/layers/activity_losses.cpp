// The activity penalties of one forward pass, collected per thread.
#include "layers/activity_losses.h"

#include <torch/torch.h>

#include "tkeras/layers/activations.h"

namespace tkeras::layers::detail {
namespace {

thread_local ActivityLosses* current_collector = nullptr;

}  // namespace

ActivityLosses::ActivityLosses() : previous_(current_collector) { current_collector = this; }

ActivityLosses::~ActivityLosses() { current_collector = previous_; }

void ActivityLosses::record(const Layer& layer, const torch::Tensor& output) {
  const auto& regularizer = layer.activity_regularizer();
  if (regularizer == nullptr || current_collector == nullptr || !output.defined()) return;
  torch::Tensor loss = (*regularizer)(output);
  // As Keras: normalized by the batch size (a divide_no_nan: an empty batch adds 0).
  if (output.dim() > 0) {
    loss = output.size(0) == 0 ? torch::zeros_like(loss) : loss / static_cast<double>(output.size(0));
  }
  current_collector->losses_.push_back(loss);
}

void ActivityLosses::record_logits(const Layer& layer, const torch::Tensor& logits) {
  if (layer.activity_regularizer() == nullptr || current_collector == nullptr) return;
  record(layer, activations::get(layer.activation())(logits));
}

torch::Tensor ActivityLosses::add_to(const torch::Tensor& loss) const {
  torch::Tensor total = loss;
  for (const torch::Tensor& penalty : losses_) total = total + penalty;
  return total;
}

}  // namespace tkeras::layers::detail
