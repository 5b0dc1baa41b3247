// The accuracy metrics, as Keras's: the share of outputs that match their targets, exactly, above a
// threshold, at the largest output, or among the k largest.
#pragma once

#include <cstdint>
#include <string>

#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

/// The share of outputs equal to their targets (`"accuracy"` in Keras's class sense; compile's
/// `"accuracy"` name picks one of the accuracies below instead).
class Accuracy : public MeanMetricWrapper {
 public:
  /// Default name: `"accuracy"`.
  explicit Accuracy(std::string name = "accuracy");
  std::string class_name() const override { return "Accuracy"; }
};

/// BinaryAccuracy's options, in Keras's order.
struct BinaryAccuracyOptions {
  std::string name = "binary_accuracy";  ///< The name in the logs. Default: `"binary_accuracy"`.
  double threshold = 0.5;                ///< An output above it predicts 1. Default: 0.5.
};

/// The share of outputs that, thresholded to 0 or 1, equal their targets (`"binary_accuracy"`).
class BinaryAccuracy : public MeanMetricWrapper {
 public:
  /// Default: threshold 0.5.
  explicit BinaryAccuracy(BinaryAccuracyOptions options = {});
  std::string class_name() const override { return "BinaryAccuracy"; }
  Config config_options() const override { return {{"threshold", threshold_}}; }

 private:
  double threshold_;
};

/// The share of samples whose largest output is at their one-hot target's 1
/// (`"categorical_accuracy"`).
class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// Default name: `"categorical_accuracy"`.
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy");
  std::string class_name() const override { return "CategoricalAccuracy"; }
  bool argmax_only() const override { return true; }
};

/// The share of samples whose largest output is at their class label
/// (`"sparse_categorical_accuracy"`).
class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// Default name: `"sparse_categorical_accuracy"`.
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy");
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }
  bool argmax_only() const override { return true; }
};

/// TopKCategoricalAccuracy's options, in Keras's order.
struct TopKCategoricalAccuracyOptions {
  int64_t k = 5;                                    ///< How many of the largest outputs count. Default: 5.
  std::string name = "top_k_categorical_accuracy";  ///< The name in the logs. Default: as the class.
};

/// The share of samples whose one-hot target's class is among their k largest outputs (ties with
/// the k-th count as in) (`"top_k_categorical_accuracy"`).
class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// Default: k = 5.
  explicit TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options = {});
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  Config config_options() const override { return {{"k", k_}}; }

 private:
  int64_t k_;
};

/// SparseTopKCategoricalAccuracy's options, in Keras's order.
struct SparseTopKCategoricalAccuracyOptions {
  int64_t k = 5;                                           ///< How many outputs count. Default: 5.
  std::string name = "sparse_top_k_categorical_accuracy";  ///< The name in the logs. Default: as the class.
  /// Whether the outputs are already class ids sorted by score (their first k are compared), as
  /// Keras's. Default: false.
  bool from_sorted_ids = false;
};

/// The share of samples whose class label is among their k largest outputs
/// (`"sparse_top_k_categorical_accuracy"`).
class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// Default: k = 5, outputs are scores.
  explicit SparseTopKCategoricalAccuracy(SparseTopKCategoricalAccuracyOptions options = {});
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  Config config_options() const override;

 private:
  int64_t k_;
  bool from_sorted_ids_;
};

}  // namespace tkeras::metrics
