// Kullback-Leibler divergence, Poisson and CTC, as Keras's formulas (CTC as its torch backend).
#include "tkeras/losses/probabilistic.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "losses/common.h"
#include "tkeras/core/error.h"

namespace tkeras::losses {
namespace {

using detail::FormulaFunction;
using detail::kEpsilon;

torch::Tensor kl_divergence(const torch::Tensor& y, const torch::Tensor& p) {
  const torch::Tensor target = y.clamp(kEpsilon, 1.0);
  return (target * (target / p.clamp(kEpsilon, 1.0)).log()).sum(-1);
}
torch::Tensor poisson(const torch::Tensor& y, const torch::Tensor& p) {
  return (p - y * (p + kEpsilon).log()).mean(-1);
}

class CTCFunction : public LossFunction {
 public:
  std::string class_name() const override { return "CTC"; }
  std::string name() const override { return "ctc"; }
  bool takes_labels() const override { return true; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    if (y_true.dim() != 2 || y_pred.dim() != 3) {
      throw Error(fmt::format("ctc: expected labels [N, L] and outputs [N, T, C], received {} and {}",
                              format_shape(y_true.sizes().vec()), format_shape(y_pred.sizes().vec())));
    }
    const int64_t batch = y_pred.size(0);
    const torch::Tensor log_probs = torch::log_softmax(y_pred.transpose(0, 1).to(torch::kFloat32), -1);
    const torch::Tensor input_lengths = torch::full({batch}, y_pred.size(1), y_true.options().dtype(torch::kInt64));
    const torch::Tensor label_lengths = y_true.ne(0).sum(-1).to(torch::kInt64);
    return torch::ctc_loss(log_probs, y_true, input_lengths, label_lengths, /*blank=*/0, at::Reduction::None);
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    if (output_shape.size() != 2 || y.dim() != 2) {
      throw Error(
          fmt::format("ctc: expected outputs [N, T, C] and labels [N, L], received outputs {} from {} and y of "
                      "shape {}",
                      format_batch_shape(output_shape), layer, format_shape(y.sizes().vec())));
    }
    if (y.numel() == 0) return y.to(torch::kInt64);
    if (y.is_floating_point() && !y.eq(y.floor()).all().item<bool>()) {
      throw Error("ctc: expected integer labels, received non-integer values in y");
    }
    const int64_t classes = output_shape.back();
    const auto low = y.min().item<double>();
    const auto high = y.max().item<double>();
    if (low < 0 || high > static_cast<double>(classes - 1)) {
      throw Error(
          fmt::format("{} has {} classes, so ctc expects labels in 0..{} (0 the blank); received labels from "
                      "{} to {}",
                      layer, classes, classes - 1, low, high));
    }
    return y.to(torch::kInt64);
  }
};

}  // namespace

KLDivergence::KLDivergence(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("KLDivergence", "kl_divergence", kl_divergence), options.reduction) {}
Poisson::Poisson(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("Poisson", "poisson", poisson), options.reduction) {}
CTC::CTC(LossOptions options) : Loss(std::make_shared<CTCFunction>(), options.reduction) {}

namespace {

const registry::Registrar kl_divergence_registration(detail::plain<KLDivergence>("KLDivergence", "kl_divergence",
                                                                                 {"kld", "KLD"}));
const registry::Registrar poisson_registration(detail::plain<Poisson>("Poisson", "poisson", {}));
const registry::Registrar ctc_registration(detail::plain<CTC>("CTC", "ctc", {}));

}  // namespace
}  // namespace tkeras::losses
