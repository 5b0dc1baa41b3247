// Keras's helpers for metrics: divide_no_nan, squeeze_or_expand_to_same_rank, loss formulas.
#include "metrics/common.h"

#include <torch/torch.h>

namespace tkeras::metrics::detail {

torch::Tensor divide_no_nan(const torch::Tensor& numerator, const torch::Tensor& divisor) {
  return torch::where(divisor == 0, torch::zeros_like(numerator), numerator / divisor);
}

std::pair<torch::Tensor, torch::Tensor> same_rank(torch::Tensor x1, torch::Tensor x2) {
  if (x1.dim() == x2.dim() + 1 && x1.size(-1) == 1) {
    if (x2.dim() == 1) {
      x2 = x2.unsqueeze(-1);
    } else {
      x1 = x1.squeeze(-1);
    }
  }
  if (x2.dim() == x1.dim() + 1 && x2.size(-1) == 1) {
    if (x1.dim() == 1) {
      x1 = x1.unsqueeze(-1);
    } else {
      x2 = x2.squeeze(-1);
    }
  }
  return {std::move(x1), std::move(x2)};
}

MetricFunction loss_formula(const losses::Loss& loss) {
  return [loss](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
    const losses::LossFunction& function = loss.function();
    if (function.takes_labels()) return function.call(y_true, y_pred);
    auto [targets, outputs] = same_rank(y_true.to(y_pred.scalar_type()), y_pred);
    // Class labels [N] against outputs [N, C] (a sparse loss compiled beside this metric) broadcast
    // as Keras's [N, 1].
    if (targets.dim() + 1 == outputs.dim()) targets = targets.unsqueeze(-1);
    return function.call(targets, outputs);
  };
}

}  // namespace tkeras::metrics::detail
