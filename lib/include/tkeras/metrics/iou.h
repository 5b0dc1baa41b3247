// The intersection-over-union metrics, as Keras's: IoU, BinaryIoU, MeanIoU, OneHotIoU and
// OneHotMeanIoU, read from a confusion matrix of class labels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::metrics {

/// IoU's options after its two required ones, in Keras's order.
struct IoUOptions {
  /// The name in the logs. Default: `"io_u"` (Keras's name for the class).
  std::string name = "io_u";
  /// A label that does not count (a "void" class such as -1 or 255). Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  /// Whether the targets are class labels; false takes their argmax over `axis`. Default: true.
  bool sparse_y_true = true;
  /// Whether the outputs are class labels; false takes their argmax over `axis`. Default: true.
  bool sparse_y_pred = true;
  /// The class axis of targets or outputs that are not labels. Default: -1.
  int64_t axis = -1;
};

/// The mean intersection over union of the classes `target_class_ids`, as Keras's `IoU`: each
/// class's `true_positives / (true_positives + false_positives + false_negatives)` from the
/// weighted confusion matrix `total_confusion_matrix` (rows the true labels, columns the
/// predicted), averaged over the target classes that occur. Labels outside 0..num_classes-1, and
/// `ignore_class`, are left out. 0 before any update.
///
/// Example: `tkeras::metrics::IoU(3, {1}, {.sparse_y_pred = false})` (class 1's IoU, from
/// the outputs' argmax).
class IoU : public Metric {
 public:
  /// The IoU of `num_classes` classes (at least 1) averaged over `target_class_ids` (at least one,
  /// each in 0..num_classes-1). Throws `tkeras::Error` otherwise.
  IoU(int64_t num_classes, std::vector<int64_t> target_class_ids, IoUOptions options = {});
  std::string class_name() const override { return "IoU"; }
  using Metric::update_state;  // update_state(y_true, y_pred) too
  /// Adds a batch to the confusion matrix: labels (or, unless sparse, their argmax over `axis`) of
  /// targets and outputs, as many of each, weighted by `sample_weight` (`[N]`, one per sample, or
  /// one per label). Throws `tkeras::Error` for labels of other counts or weights of another shape.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  /// The mean IoU of the target classes that occur in targets or outputs (0 for none).
  torch::Tensor result() const override;
  /// `num_classes`, `target_class_ids`, `ignore_class`, `sparse_y_true`, `sparse_y_pred`, `axis`.
  Config config_options() const override;
  /// True for outputs that are not labels, with classes on the last axis: only their argmax counts.
  bool argmax_only() const override { return !settings_.sparse_y_pred && settings_.axis == -1; }

  /// The number of classes.
  int64_t num_classes() const { return settings_.num_classes; }
  /// The classes whose IoUs are averaged.
  const std::vector<int64_t>& target_class_ids() const { return settings_.target_class_ids; }
  /// The label left out, if any.
  std::optional<int64_t> ignore_class() const { return settings_.ignore_class; }
  /// Whether the targets are labels.
  bool sparse_y_true() const { return settings_.sparse_y_true; }
  /// Whether the outputs are labels.
  bool sparse_y_pred() const { return settings_.sparse_y_pred; }
  /// The class axis of targets or outputs that are not labels.
  int64_t axis() const { return settings_.axis; }

 protected:
  /// What every IoU metric is made of, as Keras's `IoU.__init__` takes it.
  struct Settings {
    std::string name;                       ///< The name in the logs.
    int64_t num_classes = 0;                ///< The number of classes.
    std::vector<int64_t> target_class_ids;  ///< The classes averaged.
    std::optional<int64_t> ignore_class;    ///< The label left out.
    bool sparse_y_true = true;              ///< Whether the targets are labels.
    bool sparse_y_pred = true;              ///< Whether the outputs are labels.
    int64_t axis = -1;                      ///< The class axis for the argmax.
  };
  /// A metric of `settings`, whose errors name `class_name`; adds the confusion matrix.
  IoU(Settings settings, std::string_view class_name);

 private:
  torch::Tensor labels(const torch::Tensor& values, bool sparse, const char* which) const;
  Settings settings_;
  size_t total_confusion_matrix_ = 0;
};

/// BinaryIoU's options, in Keras's order.
struct BinaryIoUOptions {
  /// The classes averaged: `{0}`, `{1}` or `{0, 1}`. Default: `{0, 1}`.
  std::vector<int64_t> target_class_ids = {0, 1};
  /// Outputs at or above it predict class 1, below it class 0. Default: 0.5.
  double threshold = 0.5;
  /// The name in the logs. Default: `"binary_io_u"`.
  std::string name = "binary_io_u";
};

/// The IoU of yes/no targets (0 or 1) and outputs cut at `threshold`, as Keras's `BinaryIoU`: an
/// IoU of 2 classes.
///
/// Example: `tkeras::metrics::BinaryIoU({.target_class_ids = {1}, .threshold = 0.3})`.
class BinaryIoU : public IoU {
 public:
  /// Default: the mean of both classes' IoUs, outputs cut at 0.5. Throws `tkeras::Error` for a
  /// target class other than 0 and 1.
  explicit BinaryIoU(BinaryIoUOptions options = {});
  std::string class_name() const override { return "BinaryIoU"; }
  using Metric::update_state;  // update_state(y_true, y_pred) too
  /// Adds a batch: targets truncated to integers, outputs 1 where at or above the threshold, and
  /// optional weights as IoU's.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  /// `target_class_ids` and `threshold`.
  Config config_options() const override;
  /// The threshold.
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

/// MeanIoU's options after its required `num_classes`, in Keras's order.
struct MeanIoUOptions {
  /// The name in the logs. Default: `"mean_io_u"`.
  std::string name = "mean_io_u";
  /// A label that does not count. Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  /// Whether the targets are class labels; false takes their argmax. Default: true.
  bool sparse_y_true = true;
  /// Whether the outputs are class labels; false takes their argmax. Default: true.
  bool sparse_y_pred = true;
  /// The class axis of targets or outputs that are not labels. Default: -1.
  int64_t axis = -1;
};

/// The mean IoU of every class, as Keras's `MeanIoU` (an IoU of all the classes).
///
/// Example: `tkeras::metrics::MeanIoU(21, {.ignore_class = 255, .sparse_y_pred = false})`.
class MeanIoU : public IoU {
 public:
  /// The mean IoU of `num_classes` classes (at least 1). Throws `tkeras::Error` otherwise.
  explicit MeanIoU(int64_t num_classes, MeanIoUOptions options = {});
  std::string class_name() const override { return "MeanIoU"; }
  /// `num_classes`, `ignore_class`, `sparse_y_true`, `sparse_y_pred`, `axis`.
  Config config_options() const override;

 protected:
  /// A metric of `settings` (every class a target), whose errors name `class_name`.
  MeanIoU(Settings settings, std::string_view class_name);
};

/// OneHotIoU's options after its two required ones, in Keras's order.
struct OneHotIoUOptions {
  /// The name in the logs. Default: `"one_hot_io_u"`.
  std::string name = "one_hot_io_u";
  /// A label that does not count. Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  /// Whether the outputs are class labels; false takes their argmax. Default: false.
  bool sparse_y_pred = false;
  /// The class axis. Default: -1.
  int64_t axis = -1;
};

/// The IoU of one-hot targets (their argmax over `axis`), as Keras's `OneHotIoU`.
///
/// Example: `tkeras::metrics::OneHotIoU(3, {0, 2})`.
class OneHotIoU : public IoU {
 public:
  /// As IoU's. Throws `tkeras::Error` as IoU's.
  OneHotIoU(int64_t num_classes, std::vector<int64_t> target_class_ids, OneHotIoUOptions options = {});
  std::string class_name() const override { return "OneHotIoU"; }
  /// `num_classes`, `target_class_ids`, `ignore_class`, `sparse_y_pred`, `axis`.
  Config config_options() const override;
};

/// OneHotMeanIoU's options after its required `num_classes`, in Keras's order.
struct OneHotMeanIoUOptions {
  /// The name in the logs. Default: `"one_hot_mean_io_u"`.
  std::string name = "one_hot_mean_io_u";
  /// A label that does not count. Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  /// Whether the outputs are class labels; false takes their argmax. Default: false.
  bool sparse_y_pred = false;
  /// The class axis. Default: -1.
  int64_t axis = -1;
};

/// The mean IoU of every class for one-hot targets, as Keras's `OneHotMeanIoU`.
///
/// Example: `model.compile({.metrics = {tkeras::metrics::OneHotMeanIoU(3)}})`.
class OneHotMeanIoU : public MeanIoU {
 public:
  /// As MeanIoU's. Throws `tkeras::Error` as MeanIoU's.
  explicit OneHotMeanIoU(int64_t num_classes, OneHotMeanIoUOptions options = {});
  std::string class_name() const override { return "OneHotMeanIoU"; }
  /// `num_classes`, `ignore_class`, `sparse_y_pred`, `axis`.
  Config config_options() const override;
};

}  // namespace tkeras::metrics
