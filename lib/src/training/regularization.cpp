// The weights' penalties and constraints, gathered once per fit or evaluate.
#include "training/regularization.h"

#include <torch/torch.h>

namespace tkeras::training {

Regularization::Regularization(const layers::Layer& network) {
  for (const layers::Weight& weight : network.weights()) {
    if (!weight.trainable) continue;
    if (weight.regularizer) regularized_.emplace_back(weight.value, weight.regularizer);
    if (weight.constraint) constrained_.emplace_back(weight.value, weight.constraint);
  }
}

torch::Tensor Regularization::add_penalties(const torch::Tensor& loss) const {
  torch::Tensor total = loss;
  for (const auto& [weight, regularizer] : regularized_) total = total + (*regularizer)(weight);
  return total;
}

void Regularization::constrain() const {
  const torch::NoGradGuard no_grad;
  for (const auto& [weight, constraint] : constrained_) weight.copy_((*constraint)(weight));
}

}  // namespace tkeras::training
