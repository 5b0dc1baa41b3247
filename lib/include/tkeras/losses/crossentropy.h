// The cross-entropy losses, as Keras's: binary, categorical and sparse, their focal forms, and the
// generalized cross-entropy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// BinaryCrossentropy's options, in Keras's order.
struct BinaryCrossentropyOptions {
  /// Whether the model outputs logits rather than probabilities. Default: false. With false, a
  /// model whose last layer ends in sigmoid still gets a stable loss: tkeras computes it from that
  /// layer's logits.
  bool from_logits = false;
  /// Moves each target towards 0.5 by this much: `y * (1 - s) + 0.5 * s`. Default: 0.
  double label_smoothing = 0.0;
  /// The axis the loss averages over. Default: -1.
  int64_t axis = -1;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Cross-entropy between 0/1 targets and probabilities of the positive class (each output unit
/// its own yes/no), averaged over `axis`. Throws `tkeras::Error` for a smoothing outside [0, 1].
///
/// Example: `model.compile({.loss = tkeras::losses::BinaryCrossentropy({.label_smoothing = 0.1})});`
class BinaryCrossentropy : public Loss {
 public:
  /// Default: probabilities, no smoothing, the last axis.
  explicit BinaryCrossentropy(BinaryCrossentropyOptions options = {});
};

/// BinaryFocalCrossentropy's options, in Keras's order.
struct BinaryFocalCrossentropyOptions {
  /// Whether positives weigh `alpha` and negatives `1 - alpha`. Default: false.
  bool apply_class_balancing = false;
  /// The positives' weight when balancing. Default: 0.25.
  double alpha = 0.25;
  /// The focusing exponent: each value is scaled by `(1 - p_t)^gamma`. Default: 2.0.
  double gamma = 2.0;
  /// Whether the model outputs logits. Default: false.
  bool from_logits = false;
  /// As BinaryCrossentropy's. Default: 0.
  double label_smoothing = 0.0;
  /// The axis the loss averages over. Default: -1.
  int64_t axis = -1;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Binary cross-entropy scaled down where the model is already right (Lin et al., 2017), for
/// imbalanced yes/no targets.
class BinaryFocalCrossentropy : public Loss {
 public:
  /// Throws `tkeras::Error` for a negative gamma or a smoothing outside [0, 1].
  explicit BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions options = {});
};

/// CategoricalCrossentropy's options, in Keras's order.
struct CategoricalCrossentropyOptions {
  /// Whether the model outputs logits rather than probabilities. Default: false. With false, a
  /// model whose last layer ends in softmax still gets a stable loss: tkeras computes it from that
  /// layer's logits (log-softmax, not the log of a softmax).
  bool from_logits = false;
  /// Moves each one-hot target towards uniform: `y * (1 - s) + s / classes`. Default: 0.
  double label_smoothing = 0.0;
  /// The class axis. Default: -1.
  int64_t axis = -1;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Cross-entropy between one-hot (or soft) targets `[N, C]` and class probabilities `[N, C]`.
class CategoricalCrossentropy : public Loss {
 public:
  /// Default: probabilities, no smoothing, classes on the last axis. Throws `tkeras::Error` for a
  /// smoothing outside [0, 1].
  explicit CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
};

/// CategoricalFocalCrossentropy's options, in Keras's order.
struct CategoricalFocalCrossentropyOptions {
  /// The weight of every class's term. Default: 0.25.
  double alpha = 0.25;
  /// The focusing exponent: each term is scaled by `(1 - p)^gamma`. Default: 2.0.
  double gamma = 2.0;
  /// Whether the model outputs logits. Default: false.
  bool from_logits = false;
  /// As CategoricalCrossentropy's. Default: 0.
  double label_smoothing = 0.0;
  /// The class axis. Default: -1.
  int64_t axis = -1;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Categorical cross-entropy scaled down where the model is already right, for imbalanced classes.
class CategoricalFocalCrossentropy : public Loss {
 public:
  /// Throws `tkeras::Error` for a negative gamma or a smoothing outside [0, 1].
  explicit CategoricalFocalCrossentropy(CategoricalFocalCrossentropyOptions options = {});
};

/// SparseCategoricalCrossentropy's options, in Keras's order.
struct SparseCategoricalCrossentropyOptions {
  /// Whether the model outputs logits rather than probabilities. Default: false (a softmax
  /// output's logits are used, as for CategoricalCrossentropy).
  bool from_logits = false;
  /// A label that does not count (padding, "void" pixels): its positions add nothing and the mean
  /// is over the others. Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
  /// The class axis of the outputs; the labels have every other axis. Default: -1.
  int64_t axis = -1;
};

/// Cross-entropy between integer class labels `[N]` (or `[N, T]`) and class probabilities
/// `[N, C]` (or `[N, T, C]`).
class SparseCategoricalCrossentropy : public Loss {
 public:
  /// Default: probabilities, no ignored class.
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
};

/// CategoricalGeneralizedCrossEntropy's options, in Keras's order.
struct CategoricalGeneralizedCrossEntropyOptions {
  /// Between mean absolute error (q = 1) and cross-entropy (q -> 0), in (0, 1). Default: 0.5.
  double q = 0.5;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Zhang and Sabuncu's generalized cross-entropy, `(1 - p_y^q) / q`, on integer labels and class
/// probabilities: robust to noisy labels.
class CategoricalGeneralizedCrossEntropy : public Loss {
 public:
  /// Throws `tkeras::Error` for a q outside (0, 1), as Keras.
  explicit CategoricalGeneralizedCrossEntropy(CategoricalGeneralizedCrossEntropyOptions options = {});
};

}  // namespace tkeras::losses
