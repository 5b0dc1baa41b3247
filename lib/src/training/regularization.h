// Regularization: the weights' penalties that fit and evaluate add to the loss, and the
// constraints fit applies after each update, as Keras's `model.losses` and optimizer (internal).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "tkeras/layers/layer.h"

namespace tkeras::training {

/// The regularizers and constraints of a network's trainable weights, gathered once (a fit's or
/// an evaluate's): the weights are updated in place, so the tensors stay the weights.
class Regularization {
 public:
  /// Gathers them from `network`'s weights; a frozen weight has neither, as in Keras (its
  /// `trainable_weights` only).
  explicit Regularization(const layers::Layer& network);

  /// `loss` plus every penalty, as Keras's compute_loss adds `model.losses`; `loss` itself when
  /// there is none.
  torch::Tensor add_penalties(const torch::Tensor& loss) const;
  /// Replaces each constrained weight by its constraint's value of it, as Keras's optimizer does
  /// after applying the gradients.
  void constrain() const;

 private:
  std::vector<std::pair<torch::Tensor, std::shared_ptr<const regularizers::Regularizer>>> regularized_;
  std::vector<std::pair<torch::Tensor, std::shared_ptr<const constraints::Constraint>>> constrained_;
};

}  // namespace tkeras::training
