// The regression losses, as Keras's: squared, absolute, percentage and logarithmic errors, cosine
// similarity, Huber and log-cosh, each averaged over the last axis.
#pragma once

#include <cstdint>
#include <string>

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// The mean of squared differences (`"mean_squared_error"`, `"mse"`).
class MeanSquaredError : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit MeanSquaredError(LossOptions options = {});
};

/// The mean of absolute differences (`"mean_absolute_error"`, `"mae"`).
class MeanAbsoluteError : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit MeanAbsoluteError(LossOptions options = {});
};

/// `100 * mean(|y - p| / max(|y|, 1e-7))` (`"mean_absolute_percentage_error"`, `"mape"`).
class MeanAbsolutePercentageError : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit MeanAbsolutePercentageError(LossOptions options = {});
};

/// `mean((log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1))^2)` (`"mean_squared_logarithmic_error"`,
/// `"msle"`): relative rather than absolute errors.
class MeanSquaredLogarithmicError : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit MeanSquaredLogarithmicError(LossOptions options = {});
};

/// CosineSimilarity's options, in Keras's order.
struct CosineSimilarityOptions {
  /// The axis along which the vectors lie. Default: -1.
  int64_t axis = -1;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// The negative cosine similarity of targets and outputs, in [-1, 1]: -1 for vectors pointing the
/// same way, so that minimising it aligns them.
class CosineSimilarity : public Loss {
 public:
  /// Default: vectors on the last axis.
  explicit CosineSimilarity(CosineSimilarityOptions options = {});
};

/// Huber's options, in Keras's order.
struct HuberOptions {
  /// Where the loss turns from quadratic to linear. Default: 1.0.
  double delta = 1.0;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Keras's `Huber`: per value `0.5 * e^2` where `|e| <= delta`, else `delta * |e| - 0.5 *
/// delta^2` (e the error), averaged over the last axis. Less sensitive to outliers than the mean
/// squared error; the courses' time-series part trains with it.
///
/// Example: `model.compile({.optimizer = "sgd", .loss = tkeras::losses::Huber({.delta = 2.0})});`
class Huber : public Loss {
 public:
  /// Throws `tkeras::Error` for a `delta` that is not positive. Default: delta 1.0.
  explicit Huber(HuberOptions options = {});
};

/// The mean of `log(cosh(p - y))` (`"log_cosh"`): about `e^2 / 2` for small errors and `|e| -
/// log 2` for large ones.
class LogCosh : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit LogCosh(LossOptions options = {});
};

}  // namespace tkeras::losses
