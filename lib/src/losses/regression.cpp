// The regression losses, each Keras's formula over the last axis.
#include "tkeras/losses/regression.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>
#include <torch/torch.h>

#include "losses/common.h"
#include "tkeras/core/error.h"

namespace tkeras::losses {
namespace {

using detail::FormulaFunction;
using detail::kEpsilon;
using registry::OptionsReader;

torch::Tensor squared_error(const torch::Tensor& y, const torch::Tensor& p) { return (y - p).square().mean(-1); }
torch::Tensor absolute_error(const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().mean(-1); }
torch::Tensor percentage_error(const torch::Tensor& y, const torch::Tensor& p) {
  return 100.0 * ((y - p) / y.abs().clamp_min(kEpsilon)).abs().mean(-1);
}
torch::Tensor logarithmic_error(const torch::Tensor& y, const torch::Tensor& p) {
  return ((p.clamp_min(kEpsilon) + 1.0).log() - (y.clamp_min(kEpsilon) + 1.0).log()).square().mean(-1);
}
torch::Tensor log_cosh(const torch::Tensor& y, const torch::Tensor& p) {
  // Keras's stable form: x + softplus(-2x) - log 2.
  const torch::Tensor x = p - y;
  return (x + torch::softplus(x * -2.0) - std::log(2.0)).mean(-1);
}

class CosineFunction : public LossFunction {
 public:
  explicit CosineFunction(int64_t axis) : axis_(axis) {}
  std::string class_name() const override { return "CosineSimilarity"; }
  std::string name() const override { return "cosine_similarity"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const int64_t axis = detail::canonical_axis(axis_, y_pred.dim(), name());
    // Keras's l2 normalisation: x * min(rsqrt(sum(x^2)), 1 / epsilon).
    const auto normalize = [&](const torch::Tensor& x) {
      return x * x.square().sum(axis, /*keepdim=*/true).rsqrt().clamp_max(1.0 / kEpsilon);
    };
    return -(normalize(y_true) * normalize(y_pred)).sum(axis);
  }
  Config get_config() const override { return {{"axis", axis_}}; }

 private:
  int64_t axis_;
};

class HuberFunction : public LossFunction {
 public:
  explicit HuberFunction(double delta) : delta_(delta) {}
  std::string class_name() const override { return "Huber"; }
  std::string name() const override { return "huber"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const torch::Tensor error = y_pred - y_true;
    const torch::Tensor absolute = error.abs();
    return torch::where(absolute <= delta_, 0.5 * error.square(), delta_ * absolute - 0.5 * delta_ * delta_).mean(-1);
  }
  Config get_config() const override { return {{"delta", delta_}}; }

 private:
  double delta_;
};

}  // namespace

MeanSquaredError::MeanSquaredError(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("MeanSquaredError", "mean_squared_error", squared_error),
           options.reduction) {}
MeanAbsoluteError::MeanAbsoluteError(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("MeanAbsoluteError", "mean_absolute_error", absolute_error),
           options.reduction) {}
MeanAbsolutePercentageError::MeanAbsolutePercentageError(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("MeanAbsolutePercentageError", "mean_absolute_percentage_error",
                                             percentage_error),
           options.reduction) {}
MeanSquaredLogarithmicError::MeanSquaredLogarithmicError(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error",
                                             logarithmic_error),
           options.reduction) {}
CosineSimilarity::CosineSimilarity(CosineSimilarityOptions options)
    : Loss(std::make_shared<CosineFunction>(options.axis), options.reduction) {}
LogCosh::LogCosh(LossOptions options)
    : Loss(std::make_shared<FormulaFunction>("LogCosh", "log_cosh", log_cosh), options.reduction) {}

Huber::Huber(HuberOptions options) : Loss(std::make_shared<HuberFunction>(options.delta), options.reduction) {
  if (!(options.delta > 0.0) || !std::isfinite(options.delta)) {
    throw Error(fmt::format("Huber: expected a positive delta, received {}", options.delta));
  }
}

namespace {

const registry::Registrar mean_squared_error_registration(detail::plain<MeanSquaredError>("MeanSquaredError",
                                                                                          "mean_squared_error",
                                                                                          {"mse", "MSE"}));
const registry::Registrar mean_absolute_error_registration(detail::plain<MeanAbsoluteError>("MeanAbsoluteError",
                                                                                            "mean_absolute_error",
                                                                                            {"mae", "MAE"}));
const registry::Registrar mean_absolute_percentage_error_registration(detail::plain<MeanAbsolutePercentageError>(
    "MeanAbsolutePercentageError", "mean_absolute_percentage_error", {"mape", "MAPE"}));
const registry::Registrar mean_squared_logarithmic_error_registration(detail::plain<MeanSquaredLogarithmicError>(
    "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", {"msle", "MSLE"}));
const registry::Registrar cosine_similarity_registration(
    detail::loss_class<CosineSimilarity>("CosineSimilarity", "cosine_similarity", {}, [](OptionsReader& read) {
      return CosineSimilarityOptions{.axis = read.integer("axis", -1)};
    }));
const registry::Registrar huber_registration(detail::loss_class<Huber>("Huber", "huber", {}, [](OptionsReader& read) {
  return HuberOptions{.delta = read.number("delta", 1.0)};
}));
const registry::Registrar log_cosh_registration(detail::plain<LogCosh>("LogCosh", "log_cosh", {}));

}  // namespace
}  // namespace tkeras::losses
