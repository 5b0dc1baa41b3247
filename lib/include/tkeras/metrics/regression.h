// The regression metrics, as Keras's: the losses' errors averaged over samples, the root of the
// mean squared error, cosine similarity, log-cosh, and the coefficient of determination R2.
#pragma once

#include <cstdint>
#include <string>

#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

/// The mean of squared differences (`"mean_squared_error"`, `"mse"`).
class MeanSquaredError : public MeanMetricWrapper {
 public:
  /// Default name: `"mean_squared_error"`.
  explicit MeanSquaredError(std::string name = "mean_squared_error");
  std::string class_name() const override { return "MeanSquaredError"; }
};

/// The square root of the mean of squared differences (`"root_mean_squared_error"`).
class RootMeanSquaredError : public Mean {
 public:
  /// Default name: `"root_mean_squared_error"`.
  explicit RootMeanSquaredError(std::string name = "root_mean_squared_error");
  std::string class_name() const override { return "RootMeanSquaredError"; }
  using Metric::update_state;
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  torch::Tensor result() const override;
};

/// The mean of absolute differences (`"mean_absolute_error"`, `"mae"`).
class MeanAbsoluteError : public MeanMetricWrapper {
 public:
  /// Default name: `"mean_absolute_error"`.
  explicit MeanAbsoluteError(std::string name = "mean_absolute_error");
  std::string class_name() const override { return "MeanAbsoluteError"; }
};

/// `100 * mean(|y - p| / max(|y|, 1e-7))` (`"mean_absolute_percentage_error"`, `"mape"`).
class MeanAbsolutePercentageError : public MeanMetricWrapper {
 public:
  /// Default name: `"mean_absolute_percentage_error"`.
  explicit MeanAbsolutePercentageError(std::string name = "mean_absolute_percentage_error");
  std::string class_name() const override { return "MeanAbsolutePercentageError"; }
};

/// `mean((log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1))^2)` (`"mean_squared_logarithmic_error"`,
/// `"msle"`).
class MeanSquaredLogarithmicError : public MeanMetricWrapper {
 public:
  /// Default name: `"mean_squared_logarithmic_error"`.
  explicit MeanSquaredLogarithmicError(std::string name = "mean_squared_logarithmic_error");
  std::string class_name() const override { return "MeanSquaredLogarithmicError"; }
};

/// CosineSimilarity's options, in Keras's order.
struct CosineSimilarityOptions {
  std::string name = "cosine_similarity";  ///< The name in the logs. Default: `"cosine_similarity"`.
  int64_t axis = -1;                       ///< The axis the vectors lie along. Default: -1.
};

/// The cosine similarity of targets and outputs, in [-1, 1] (1: the same direction)
/// (`"cosine_similarity"`). Unlike the loss, not negated.
class CosineSimilarity : public MeanMetricWrapper {
 public:
  /// Default: vectors on the last axis.
  explicit CosineSimilarity(CosineSimilarityOptions options = {});
  std::string class_name() const override { return "CosineSimilarity"; }
  /// `axis`, which Keras 3.15's config leaves out (so that its files always say -1).
  Config config_options() const override { return {{"axis", axis_}}; }

 private:
  int64_t axis_;
};

/// The mean of `log(cosh(p - y))` (`"log_cosh_error"`; its default name is Keras's `"logcosh"`).
class LogCoshError : public MeanMetricWrapper {
 public:
  /// Default name: `"logcosh"`.
  explicit LogCoshError(std::string name = "logcosh");
  std::string class_name() const override { return "LogCoshError"; }
};

/// R2Score's options, in Keras's order.
struct R2ScoreOptions {
  /// How the outputs' scores combine: `"uniform_average"`, `"variance_weighted_average"`, or
  /// `""` (Keras's None: one score per output, logged one entry each). Default: `"uniform_average"`.
  std::string class_aggregation = "uniform_average";
  /// The independent variables, for the adjusted R2 (0: plain R2). Default: 0.
  int64_t num_regressors = 0;
  std::string name = "r2_score";  ///< The name in the logs. Default: `"r2_score"`.
};

/// The coefficient of determination, `1 - residual / total sum of squares`, per output unit and
/// then combined (`"r2_score"`), for outputs `[N, units]`.
class R2Score : public Metric {
 public:
  /// Default: scores averaged uniformly, no adjustment.
  explicit R2Score(R2ScoreOptions options = {});
  std::string class_name() const override { return "R2Score"; }
  using Metric::update_state;
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  torch::Tensor result() const override;
  Config config_options() const override;

 private:
  std::string class_aggregation_;
  int64_t num_regressors_;
  size_t num_samples_;
  bool built_ = false;  // the per-unit variables, added at the first update
  size_t squared_sum_ = 0;
  size_t sum_ = 0;
  size_t residual_ = 0;
  size_t count_ = 0;
};

}  // namespace tkeras::metrics
