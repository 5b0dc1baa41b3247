// The confusion-matrix metrics, as Keras's: true and false positives and negatives counted at
// thresholds, precision and recall, the area under the ROC or PR curve, and one rate at a fixed
// value of another (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
// SpecificityAtSensitivity).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::metrics {

/// TruePositives' options, in Keras's order.
struct TruePositivesOptions {
  /// The thresholds in [0, 1] a prediction must exceed to count as positive: one gives a scalar
  /// result, several give one count per threshold. Default: none, 0.5.
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// The name in the logs. Default: `"true_positives"`.
  std::string name = "true_positives";
};

/// FalsePositives' options, in Keras's order.
struct FalsePositivesOptions {
  /// As TruePositives'. Default: none, 0.5.
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// The name in the logs. Default: `"false_positives"`.
  std::string name = "false_positives";
};

/// TrueNegatives' options, in Keras's order.
struct TrueNegativesOptions {
  /// As TruePositives'. Default: none, 0.5.
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// The name in the logs. Default: `"true_negatives"`.
  std::string name = "true_negatives";
};

/// FalseNegatives' options, in Keras's order.
struct FalseNegativesOptions {
  /// As TruePositives'. Default: none, 0.5.
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// The name in the logs. Default: `"false_negatives"`.
  std::string name = "false_negatives";
};

/// The base of TruePositives, FalsePositives, TrueNegatives and FalseNegatives, as Keras's
/// `_ConfusionMatrixConditionCount`: the (weighted) count of one cell of the confusion matrix at
/// each threshold, in the variable `accumulator` of shape `[thresholds]`. Every value of the
/// outputs is a prediction, positive where it exceeds the threshold; a target counts as positive
/// where it is not 0.
class ConfusionCount : public Metric {
 public:
  /// The thresholds counted at, in the order given.
  const std::vector<double>& thresholds() const { return thresholds_; }
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  using Metric::update_state;
  /// The count: a scalar for one threshold, else one per threshold.
  torch::Tensor result() const override;
  /// `thresholds`: null, a number (one threshold) or a list.
  Config config_options() const override;

 protected:
  /// The cell of the confusion matrix counted.
  enum class Cell { true_positives, false_positives, true_negatives, false_negatives };
  /// Counts `cell` at `thresholds` (0.5 when none); throws `tkeras::Error` for one outside
  /// [0, 1], naming `class_name`.
  ConfusionCount(Cell cell, const std::optional<std::vector<double>>& thresholds, std::string name,
                 const char* class_name);

 private:
  Cell cell_;
  std::optional<std::vector<double>> init_thresholds_;
  std::vector<double> thresholds_;
  bool evenly_ = false;
  torch::Tensor thresholds_tensor_;
  size_t accumulator_ = 0;
};

/// The (weighted) number of positive targets predicted positive, at each threshold.
///
/// Example: `model.compile({.loss = "binary_crossentropy", .metrics = {tkeras::metrics::TruePositives()}});`
class TruePositives : public ConfusionCount {
 public:
  /// Default: one threshold, 0.5. Throws `tkeras::Error` for a threshold outside [0, 1].
  explicit TruePositives(TruePositivesOptions options = {});
  std::string class_name() const override { return "TruePositives"; }
};

/// The (weighted) number of negative targets predicted positive, at each threshold.
class FalsePositives : public ConfusionCount {
 public:
  /// Default: one threshold, 0.5. Throws `tkeras::Error` for a threshold outside [0, 1].
  explicit FalsePositives(FalsePositivesOptions options = {});
  std::string class_name() const override { return "FalsePositives"; }
};

/// The (weighted) number of negative targets predicted negative, at each threshold.
class TrueNegatives : public ConfusionCount {
 public:
  /// Default: one threshold, 0.5. Throws `tkeras::Error` for a threshold outside [0, 1].
  explicit TrueNegatives(TrueNegativesOptions options = {});
  std::string class_name() const override { return "TrueNegatives"; }
};

/// The (weighted) number of positive targets predicted negative, at each threshold.
class FalseNegatives : public ConfusionCount {
 public:
  /// Default: one threshold, 0.5. Throws `tkeras::Error` for a threshold outside [0, 1].
  explicit FalseNegatives(FalseNegativesOptions options = {});
  std::string class_name() const override { return "FalseNegatives"; }
};

/// Precision's options, in Keras's order.
struct PrecisionOptions {
  /// The thresholds in [0, 1] a prediction must exceed to count as positive: one gives a scalar
  /// result, several give one precision per threshold. Default: none, 0.5 (or, with `top_k`, every
  /// prediction among the top k).
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// Counts only the k largest predictions of each row (the last axis) as candidates for
  /// positive. Default: none.
  std::optional<int64_t> top_k = std::nullopt;
  /// Reads only this class (an index into the last axis) of targets and predictions. Default:
  /// none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"precision"`.
  std::string name = "precision";
};

/// The fraction of positive predictions whose targets are positive, `tp / (tp + fp)` (0 before
/// any), in the variables `true_positives` and `false_positives` of shape `[thresholds]`.
///
/// Example: `tkeras::metrics::Precision({.thresholds = std::vector{0.3, 0.7}, .class_id = 2})`
class Precision : public Metric {
 public:
  /// Default: threshold 0.5. Throws `tkeras::Error` for a threshold outside [0, 1] or a `top_k`
  /// below 1.
  explicit Precision(PrecisionOptions options = {});
  std::string class_name() const override { return "Precision"; }
  /// The thresholds used: as given, 0.5 by default, or -1e10 (Keras's NEG_INF) with `top_k`.
  const std::vector<double>& thresholds() const { return thresholds_; }
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  using Metric::update_state;
  /// The precision: a scalar for one threshold, else one per threshold.
  torch::Tensor result() const override;
  /// `thresholds`, `top_k` and `class_id`.
  Config config_options() const override;

 private:
  PrecisionOptions options_;
  std::vector<double> thresholds_;
  bool evenly_ = false;
  torch::Tensor thresholds_tensor_;
  size_t true_positives_ = 0;
  size_t false_positives_ = 0;
};

/// Recall's options, in Keras's order.
struct RecallOptions {
  /// As Precision's. Default: none, 0.5 (or, with `top_k`, every prediction among the top k).
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// As Precision's. Default: none.
  std::optional<int64_t> top_k = std::nullopt;
  /// As Precision's. Default: none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"recall"`.
  std::string name = "recall";
};

/// The fraction of positive targets predicted positive, `tp / (tp + fn)` (0 before any), in the
/// variables `true_positives` and `false_negatives` of shape `[thresholds]`.
class Recall : public Metric {
 public:
  /// Default: threshold 0.5. Throws `tkeras::Error` for a threshold outside [0, 1] or a `top_k`
  /// below 1.
  explicit Recall(RecallOptions options = {});
  std::string class_name() const override { return "Recall"; }
  /// The thresholds used: as given, 0.5 by default, or -1e10 (Keras's NEG_INF) with `top_k`.
  const std::vector<double>& thresholds() const { return thresholds_; }
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  using Metric::update_state;
  /// The recall: a scalar for one threshold, else one per threshold.
  torch::Tensor result() const override;
  /// `thresholds`, `top_k` and `class_id`.
  Config config_options() const override;

 private:
  RecallOptions options_;
  std::vector<double> thresholds_;
  bool evenly_ = false;
  torch::Tensor thresholds_tensor_;
  size_t true_positives_ = 0;
  size_t false_negatives_ = 0;
};

/// AUC's options, in Keras's order.
struct AUCOptions {
  /// The number of thresholds, evenly spaced over [0, 1], that approximate the curve; more than 1.
  /// Default: 200.
  int64_t num_thresholds = 200;
  /// `"ROC"` (recall over false-positive rate), `"PR"` (precision over recall) or `"PRGAIN"`
  /// (precision gain over recall gain); lower case is accepted. Default: `"ROC"`.
  std::string curve = "ROC";
  /// How the area between thresholds is summed: `"interpolation"` (trapezoids; for PR, Davis and
  /// Goadrich's interpolation), `"minoring"` (the lower side) or `"majoring"` (the higher side).
  /// Default: `"interpolation"`.
  std::string summation_method = "interpolation";
  /// The name in the logs. Default: `"auc"`.
  std::string name = "auc";
  /// Thresholds in [0, 1] to use instead of `num_thresholds` (sorted; one just below 0 and one
  /// just above 1 are added). Default: none.
  std::optional<std::vector<double>> thresholds = std::nullopt;
  /// Whether each output unit (the last axis of `[N, C]` outputs) has its own curve, the result
  /// being the mean of their areas; otherwise every value is one prediction. Default: false.
  bool multi_label = false;
  /// The number of labels with `multi_label`, so that the variables are made at once; otherwise
  /// at the first update, from the outputs. Default: none.
  std::optional<int64_t> num_labels = std::nullopt;
  /// A weight per label (the last axis): with `multi_label`, the weights of the labels' areas in
  /// the result; otherwise each value's weight in the counts. Default: none, all 1.
  std::optional<std::vector<double>> label_weights = std::nullopt;
  /// Whether the outputs are logits, passed through a sigmoid first. Default: false.
  bool from_logits = false;
};

/// The area under the ROC or precision-recall curve, approximated by a Riemann sum over
/// thresholds, as Keras's `AUC`: the variables `true_positives`, `false_positives`,
/// `true_negatives` and `false_negatives` of shape `[num_thresholds]` (`[num_thresholds,
/// labels]` with `multi_label`).
///
/// Example: `model.compile({.loss = "binary_crossentropy", .metrics = {tkeras::metrics::AUC({.curve = "PR"})}});`
class AUC : public Metric {
 public:
  /// Default: ROC, 200 thresholds, interpolation. Throws `tkeras::Error` for `num_thresholds`
  /// below 2, an unknown curve or summation method, a threshold outside [0, 1], `num_labels`
  /// without `multi_label`, or label weights of another count than `num_labels`.
  explicit AUC(AUCOptions options = {});
  std::string class_name() const override { return "AUC"; }
  /// The thresholds, with the two added ends: `-1e-7` and `1 + 1e-7`.
  const std::vector<double>& thresholds() const { return thresholds_; }
  /// The number of thresholds, the two added ends included.
  int64_t num_thresholds() const { return static_cast<int64_t>(thresholds_.size()); }
  /// Throws `tkeras::Error` for outputs whose shape does not fit the options (`multi_label` takes
  /// `[N, C]`, with C = `num_labels` when given; label weights one per unit of the last axis).
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  using Metric::update_state;
  /// The area: a scalar (0 before the first update with `multi_label` and no `num_labels`).
  torch::Tensor result() const override;
  /// `num_thresholds`, `curve`, `summation_method`, `multi_label`, `num_labels`, `label_weights`,
  /// `from_logits`, and `thresholds` when they were given.
  Config config_options() const override;

 private:
  void build(int64_t labels);
  torch::Tensor interpolate_pr_auc() const;
  torch::Tensor average_over_labels(const torch::Tensor& by_threshold) const;
  AUCOptions options_;
  std::vector<double> thresholds_;
  bool evenly_ = false;
  bool built_ = false;
  int64_t labels_ = 0;
  torch::Tensor thresholds_tensor_;
  torch::Tensor label_weights_tensor_;
  size_t true_positives_ = 0;
  size_t false_positives_ = 0;
  size_t true_negatives_ = 0;
  size_t false_negatives_ = 0;
};

/// SensitivityAtSpecificity's options beyond the specificity, in Keras's order.
struct SensitivityAtSpecificityOptions {
  /// The number of thresholds, evenly spaced over [0, 1], searched; at least 1. Default: 200.
  int64_t num_thresholds = 200;
  /// Reads only this class (an index into the last axis). Default: none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"sensitivity_at_specificity"`.
  std::string name = "sensitivity_at_specificity";
};

/// SpecificityAtSensitivity's options beyond the sensitivity, in Keras's order.
struct SpecificityAtSensitivityOptions {
  /// As SensitivityAtSpecificity's. Default: 200.
  int64_t num_thresholds = 200;
  /// As SensitivityAtSpecificity's. Default: none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"specificity_at_sensitivity"`.
  std::string name = "specificity_at_sensitivity";
};

/// PrecisionAtRecall's options beyond the recall, in Keras's order.
struct PrecisionAtRecallOptions {
  /// As SensitivityAtSpecificity's. Default: 200.
  int64_t num_thresholds = 200;
  /// As SensitivityAtSpecificity's. Default: none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"precision_at_recall"`.
  std::string name = "precision_at_recall";
};

/// RecallAtPrecision's options beyond the precision, in Keras's order.
struct RecallAtPrecisionOptions {
  /// As SensitivityAtSpecificity's. Default: 200.
  int64_t num_thresholds = 200;
  /// As SensitivityAtSpecificity's. Default: none, every value.
  std::optional<int64_t> class_id = std::nullopt;
  /// The name in the logs. Default: `"recall_at_precision"`.
  std::string name = "recall_at_precision";
};

/// The base of the four metrics that read one rate where another reaches a value, as Keras's
/// `SensitivitySpecificityBase`: the variables `true_positives`, `false_positives`,
/// `true_negatives` and `false_negatives` of shape `[num_thresholds]`, over thresholds evenly
/// spaced in [0, 1] (0.5 alone for one).
class SensitivitySpecificityBase : public Metric {
 public:
  /// The number of thresholds.
  int64_t num_thresholds() const { return num_thresholds_; }
  /// The thresholds searched.
  const std::vector<double>& thresholds() const { return thresholds_; }
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  using Metric::update_state;
  /// `class_id`, `num_thresholds`, and the value under its own key (`specificity`, ...).
  Config config_options() const override;

 protected:
  /// Keeps `value` (named `value_name`, in [0, 1]) and makes the thresholds; throws
  /// `tkeras::Error` naming `class_name` for a value outside [0, 1] or `num_thresholds` below 1.
  SensitivitySpecificityBase(double value, const char* value_name, int64_t num_thresholds,
                             std::optional<int64_t> class_id, std::string name, const char* class_name);
  /// The largest `dependent` over the thresholds where `constrained` is at least the value (0 if
  /// none), as Keras's `_find_max_under_constraint`.
  torch::Tensor max_under_constraint(const torch::Tensor& constrained, const torch::Tensor& dependent) const;
  /// `tp / (tp + fn)` per threshold.
  torch::Tensor recalls() const;
  /// `tn / (tn + fp)` per threshold.
  torch::Tensor specificities() const;
  /// `tp / (tp + fp)` per threshold.
  torch::Tensor precisions() const;

 private:
  double value_;
  const char* value_name_;
  int64_t num_thresholds_;
  std::optional<int64_t> class_id_;
  std::vector<double> thresholds_;
  bool evenly_ = false;
  torch::Tensor thresholds_tensor_;
  size_t true_positives_ = 0;
  size_t false_positives_ = 0;
  size_t true_negatives_ = 0;
  size_t false_negatives_ = 0;
};

/// The best sensitivity (recall) over the thresholds whose specificity is at least
/// `specificity`; 0 where none reaches it.
class SensitivityAtSpecificity : public SensitivitySpecificityBase {
 public:
  /// At `specificity` in [0, 1]; throws `tkeras::Error` otherwise, or for `num_thresholds` below 1.
  explicit SensitivityAtSpecificity(double specificity, SensitivityAtSpecificityOptions options = {});
  std::string class_name() const override { return "SensitivityAtSpecificity"; }
  torch::Tensor result() const override;
};

/// The best specificity over the thresholds whose sensitivity (recall) is at least
/// `sensitivity`; 0 where none reaches it.
class SpecificityAtSensitivity : public SensitivitySpecificityBase {
 public:
  /// At `sensitivity` in [0, 1]; throws `tkeras::Error` otherwise, or for `num_thresholds` below 1.
  explicit SpecificityAtSensitivity(double sensitivity, SpecificityAtSensitivityOptions options = {});
  std::string class_name() const override { return "SpecificityAtSensitivity"; }
  torch::Tensor result() const override;
};

/// The best precision over the thresholds whose recall is at least `recall`; 0 where none
/// reaches it.
class PrecisionAtRecall : public SensitivitySpecificityBase {
 public:
  /// At `recall` in [0, 1]; throws `tkeras::Error` otherwise, or for `num_thresholds` below 1.
  explicit PrecisionAtRecall(double recall, PrecisionAtRecallOptions options = {});
  std::string class_name() const override { return "PrecisionAtRecall"; }
  torch::Tensor result() const override;
};

/// The best recall over the thresholds whose precision is at least `precision`; 0 where none
/// reaches it.
class RecallAtPrecision : public SensitivitySpecificityBase {
 public:
  /// At `precision` in [0, 1]; throws `tkeras::Error` otherwise, or for `num_thresholds` below 1.
  explicit RecallAtPrecision(double precision, RecallAtPrecisionOptions options = {});
  std::string class_name() const override { return "RecallAtPrecision"; }
  torch::Tensor result() const override;
};

}  // namespace tkeras::metrics
