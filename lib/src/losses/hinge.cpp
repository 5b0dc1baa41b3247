// The hinge losses, each Keras's formula over the last axis.
#include "tkeras/losses/hinge.h"

#include <torch/torch.h>

#include "losses/common.h"

namespace tkeras::losses {
namespace {

using detail::FormulaFunction;

// Keras's convert_binary_labels_to_hinge: 0/1 targets become -1/1 when every target is 0 or 1.
torch::Tensor signed_targets(const torch::Tensor& y) {
  const torch::Tensor binary = y.eq(0).logical_or(y.eq(1)).all();
  return torch::where(binary, 2.0 * y - 1.0, y);
}

torch::Tensor hinge(const torch::Tensor& y, const torch::Tensor& p) {
  return (1.0 - signed_targets(y) * p).clamp_min(0.0).mean(-1);
}
torch::Tensor squared_hinge(const torch::Tensor& y, const torch::Tensor& p) {
  return (1.0 - signed_targets(y) * p).clamp_min(0.0).square().mean(-1);
}
torch::Tensor categorical_hinge(const torch::Tensor& y, const torch::Tensor& p) {
  const torch::Tensor positive = (y * p).sum(-1);
  const torch::Tensor negative = std::get<0>(((1.0 - y) * p).max(-1));
  return (negative - positive + 1.0).clamp_min(0.0);
}

}  // namespace

Hinge::Hinge(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("Hinge", "hinge", hinge), options.reduction) {}
SquaredHinge::SquaredHinge(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("SquaredHinge", "squared_hinge", squared_hinge), options.reduction) {}
CategoricalHinge::CategoricalHinge(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("CategoricalHinge", "categorical_hinge", categorical_hinge),
           options.reduction) {}

namespace {

const registry::Registrar hinge_registration(detail::plain<Hinge>("Hinge", "hinge", {}));
const registry::Registrar squared_hinge_registration(detail::plain<SquaredHinge>("SquaredHinge", "squared_hinge", {}));
const registry::Registrar categorical_hinge_registration(detail::plain<CategoricalHinge>("CategoricalHinge",
                                                                                         "categorical_hinge", {}));

}  // namespace
}  // namespace tkeras::losses
