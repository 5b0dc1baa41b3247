// The regression metrics: the losses' formulas averaged per sample, RMSE, and R2 from per-unit sums.
#include "tkeras/metrics/regression.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/losses/regression.h"

namespace tkeras::metrics {
namespace {

using registry::OptionsReader;

const registry::Registrar mse_registration(registry::plain<MeanSquaredError>("MeanSquaredError", "mean_squared_error",
                                                                             {"mse", "MSE"}));
const registry::Registrar rmse_registration(registry::plain<RootMeanSquaredError>("RootMeanSquaredError",
                                                                                  "root_mean_squared_error"));
const registry::Registrar mae_registration(registry::plain<MeanAbsoluteError>("MeanAbsoluteError",
                                                                              "mean_absolute_error", {"mae", "MAE"}));
const registry::Registrar mape_registration(registry::plain<MeanAbsolutePercentageError>(
    "MeanAbsolutePercentageError", "mean_absolute_percentage_error", {"mape", "MAPE"}));
const registry::Registrar msle_registration(registry::plain<MeanSquaredLogarithmicError>(
    "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", {"msle", "MSLE"}));
const registry::Registrar log_cosh_registration(registry::plain<LogCoshError>("LogCoshError", "log_cosh_error"));
const registry::Registrar cosine_registration({
    .class_name = "CosineSimilarity",
    .name = "cosine_similarity",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "CosineSimilarity");
      const CosineSimilarityOptions options{.axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<CosineSimilarity>(options);
    },
});
const registry::Registrar r2_registration({
    .class_name = "R2Score",
    .name = "r2_score",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "R2Score");
      // Keras's None aggregation is null in its config.
      const bool none = config.contains("class_aggregation") && config["class_aggregation"].is_null();
      R2ScoreOptions options{.class_aggregation = read.string("class_aggregation", "uniform_average"),
                             .num_regressors = read.integer("num_regressors", 0)};
      if (none) options.class_aggregation.clear();
      read.done();
      return std::make_shared<R2Score>(options);
    },
});

}  // namespace

MeanSquaredError::MeanSquaredError(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::MeanSquaredError()), std::move(name)) {}

RootMeanSquaredError::RootMeanSquaredError(std::string name) : Mean(std::move(name)) {}

void RootMeanSquaredError::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                        const torch::Tensor& sample_weight) {
  auto [targets, outputs] = detail::same_rank(y_true.to(y_pred.scalar_type()), y_pred);
  Mean::update_state((outputs - targets).square(), sample_weight);
}

torch::Tensor RootMeanSquaredError::result() const { return Mean::result().sqrt(); }

MeanAbsoluteError::MeanAbsoluteError(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::MeanAbsoluteError()), std::move(name)) {}

MeanAbsolutePercentageError::MeanAbsolutePercentageError(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::MeanAbsolutePercentageError()), std::move(name)) {}

MeanSquaredLogarithmicError::MeanSquaredLogarithmicError(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::MeanSquaredLogarithmicError()), std::move(name)) {}

CosineSimilarity::CosineSimilarity(CosineSimilarityOptions options)
    : MeanMetricWrapper(
          [negated = detail::loss_formula(losses::CosineSimilarity({.axis = options.axis}))](
              const torch::Tensor& y_true, const torch::Tensor& y_pred) { return -negated(y_true, y_pred); },
          std::move(options.name)),
      axis_(options.axis) {}

LogCoshError::LogCoshError(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::LogCosh()), std::move(name)) {}

R2Score::R2Score(R2ScoreOptions options)
    : Metric(std::move(options.name)),
      class_aggregation_(std::move(options.class_aggregation)),
      num_regressors_(options.num_regressors),
      num_samples_(add_variable("num_samples")) {
  if (class_aggregation_ != "uniform_average" && class_aggregation_ != "variance_weighted_average" &&
      !class_aggregation_.empty()) {
    throw Error(fmt::format(
        "R2Score: expected class_aggregation \"uniform_average\", \"variance_weighted_average\" or none (\"\"), "
        "received \"{}\"",
        class_aggregation_));
  }
  if (num_regressors_ < 0) {
    throw Error(fmt::format("R2Score: expected num_regressors >= 0, received {}", num_regressors_));
  }
}

void R2Score::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                           const torch::Tensor& sample_weight) {
  auto [targets, outputs] = detail::same_rank(y_true.to(torch::kFloat64), y_pred.to(torch::kFloat64));
  if (targets.dim() != 2 || outputs.dim() != 2) {
    throw Error(fmt::format("R2Score: expected targets and outputs of shape [batch, units], received {} and {}",
                            format_shape(targets.sizes().vec()), format_shape(outputs.sizes().vec())));
  }
  const int64_t units = outputs.size(1);
  if (!built_) {
    squared_sum_ = add_variable("squared_sum", {units}, outputs.device());
    sum_ = add_variable("sum", {units}, outputs.device());
    residual_ = add_variable("residual", {units}, outputs.device());
    count_ = add_variable("count", {units}, outputs.device());
    built_ = true;
  } else if (variable(sum_).size(0) != units) {
    throw Error(fmt::format("R2Score: expected outputs of {} units, as at the first update, received {}",
                            variable(sum_).size(0), units));
  }
  torch::Tensor weight = sample_weight.defined() ? sample_weight.to(targets.device(), torch::kFloat64)
                                                 : torch::ones({}, targets.options());
  if (weight.dim() == 1) weight = weight.unsqueeze(1);
  weight = weight.broadcast_to(targets.sizes());
  const torch::Tensor weighted = targets * weight;
  variable(sum_).add_(weighted.sum(0));
  variable(squared_sum_).add_((targets * weighted).sum(0));
  variable(residual_).add_(((targets - outputs).square() * weight).sum(0));
  variable(count_).add_(weight.sum(0));
  variable(num_samples_).add_(static_cast<double>(targets.numel()));
}

torch::Tensor R2Score::result() const {
  if (!built_) return torch::zeros({}, torch::kFloat64);
  const torch::Tensor mean = variable(sum_) / variable(count_);
  const torch::Tensor total = variable(squared_sum_) - variable(sum_) * mean;
  torch::Tensor raw = 1.0 - variable(residual_) / total;
  raw = torch::where(raw.isinf(), torch::zeros_like(raw), raw);
  torch::Tensor score = raw;
  if (class_aggregation_ == "uniform_average") {
    score = raw.mean();
  } else if (class_aggregation_ == "variance_weighted_average") {
    score = (total * raw).sum() / total.sum();
  }
  if (num_regressors_ != 0) {
    // The adjusted R2, as Keras's; with too few samples Keras warns and keeps the plain score.
    const double n = variable(num_samples_).item<double>();
    const auto p = static_cast<double>(num_regressors_);
    if (p < n - 1.0) score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0);
  }
  return score;
}

Config R2Score::config_options() const {
  return {{"class_aggregation", class_aggregation_.empty() ? Config(nullptr) : Config(class_aggregation_)},
          {"num_regressors", num_regressors_}};
}

}  // namespace tkeras::metrics
