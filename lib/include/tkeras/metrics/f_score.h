// The F-scores, as Keras's: FBetaScore and F1Score, the weighted harmonic means of precision and
// recall, per class or averaged over the classes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::metrics {

/// FBetaScore's options, in Keras's order.
struct FBetaScoreOptions {
  /// How the classes' scores are averaged: none (one score per class), `"micro"` (one score from
  /// the counts of every class together), `"macro"` (the classes' mean) or `"weighted"` (their mean
  /// weighted by each class's count of true labels). Default: none.
  std::optional<std::string> average = std::nullopt;
  /// How many times recall counts as much as precision; above 0. Default: 1.0.
  double beta = 1.0;
  /// Outputs above it are predicted positives, in (0, 1]; none predicts each row's largest
  /// (non-zero) output. Default: none.
  std::optional<double> threshold = std::nullopt;
  /// The name in the logs. Default: `"fbeta_score"`.
  std::string name = "fbeta_score";
};

/// The F-beta score of targets `[N, C]` (0 or 1 per class, one-hot or several labels) and outputs
/// `[N, C]`, as Keras's `FBetaScore`: `(1 + b^2) * precision * recall / (b^2 * precision + recall)`
/// per class from the counts of true positives, false positives and false negatives, weighted by
/// the sample weights. The variables take the class count from the first batch's outputs.
///
/// Example: `tkeras::metrics::FBetaScore({.average = "macro", .beta = 2.0, .threshold = 0.5})`.
class FBetaScore : public Metric {
 public:
  /// Default: one score per class, beta 1, each row's largest output predicted. Throws
  /// `tkeras::Error` for an unknown average, a beta not above 0 or a threshold outside (0, 1].
  explicit FBetaScore(FBetaScoreOptions options = {});
  std::string class_name() const override { return "FBetaScore"; }
  using Metric::update_state;  // update_state(y_true, y_pred) too
  /// Adds a batch: targets and outputs of one shape `[N, C]`, with C as in the first batch, and
  /// optional weights `[N]`. Throws `tkeras::Error` for other shapes.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  /// One score per class `[C]` without an average (empty before any update), else a scalar.
  torch::Tensor result() const override;
  /// `average`, `beta` and `threshold`.
  Config config_options() const override;
  /// The options it was made with.
  const FBetaScoreOptions& options() const { return options_; }

 protected:
  /// A score of `options`, whose errors name `class_name`.
  FBetaScore(FBetaScoreOptions options, std::string_view class_name);

 private:
  void build(int64_t classes, torch::Device device);
  FBetaScoreOptions options_;
  int64_t classes_ = 0;  // 0 until the first batch
  size_t true_positives_ = 0;
  size_t false_positives_ = 0;
  size_t false_negatives_ = 0;
  size_t intermediate_weights_ = 0;
};

/// F1Score's options, in Keras's order.
struct F1ScoreOptions {
  /// As FBetaScore's: none, `"micro"`, `"macro"` or `"weighted"`. Default: none.
  std::optional<std::string> average = std::nullopt;
  /// As FBetaScore's, in (0, 1]. Default: none (each row's largest output).
  std::optional<double> threshold = std::nullopt;
  /// The name in the logs. Default: `"f1_score"`.
  std::string name = "f1_score";
};

/// The F1 score, as Keras's `F1Score`: FBetaScore with beta 1, the harmonic mean of precision and
/// recall.
///
/// Example: `model.compile({.metrics = {tkeras::metrics::F1Score({.average = "macro"})}})`.
class F1Score : public FBetaScore {
 public:
  /// Default: one score per class, each row's largest output predicted. Throws `tkeras::Error` as
  /// FBetaScore's.
  explicit F1Score(F1ScoreOptions options = {});
  std::string class_name() const override { return "F1Score"; }
  /// `average` and `threshold`.
  Config config_options() const override;
};

}  // namespace tkeras::metrics
