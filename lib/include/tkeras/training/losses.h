// Losses: cross-entropies, mean squared and absolute errors and Huber, by name or with options, as in Keras.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"

namespace tkeras::losses {

/// Options of the cross-entropy losses.
struct CrossentropyOptions {
  /// Whether the model outputs logits rather than probabilities. Default: false. With false,
  /// a model whose last layer ends in softmax (or sigmoid, for binary cross-entropy) still
  /// gets a stable loss: tkeras computes it from that layer's logits, as Keras does.
  bool from_logits = false;
};

/// Huber's options.
struct HuberOptions {
  /// Where the loss turns from quadratic to linear. Default: 1.0.
  double delta = 1.0;
};

/// A loss as `compile` takes it: by name (`"sparse_categorical_crossentropy"`,
/// `"categorical_crossentropy"`, `"binary_crossentropy"`, `"mean_squared_error"` or `"mse"`,
/// `"mean_absolute_error"` or `"mae"`, `"huber"`) or as an object with options. Every loss
/// averages over the batch, as Keras's default `sum_over_batch_size` reduction. With sample
/// weights, each sample's loss is multiplied by its weight and the sum is divided by the number of
/// samples (not by the sum of the weights), as in Keras.
///
/// Example:
/// ```
/// model.compile({.loss = "sparse_categorical_crossentropy"});
/// model.compile({.loss = tkeras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
/// ```
class Loss {
 public:
  /// The kinds of loss.
  enum class Kind {
    kSparseCategoricalCrossentropy,
    kCategoricalCrossentropy,
    kBinaryCrossentropy,
    kMeanSquaredError,
    kMeanAbsoluteError,
    kHuber
  };

  /// The loss called `name`, with default options. Throws `tkeras::Error` listing the valid
  /// names when `name` is unknown.
  Loss(const char* name);  // NOLINT: implicit, so that `.loss = "mse"` works
  /// The loss called `name`, with default options.
  Loss(std::string_view name);  // NOLINT
  /// The loss called `name`, with default options.
  Loss(const std::string& name);  // NOLINT

  /// The loss's Keras name, e.g. `sparse_categorical_crossentropy`.
  std::string name() const;
  /// Keras's class name, e.g. `SparseCategoricalCrossentropy`.
  std::string class_name() const;
  /// Which loss this is.
  Kind kind() const { return kind_; }
  /// Whether the model's outputs are taken as logits.
  bool from_logits() const { return from_logits_; }
  /// Huber's delta (1.0 for the other losses).
  double delta() const { return delta_; }

  /// The batch mean of the loss of `y_pred` (the model's outputs) against `y_true`, as
  /// Keras's `loss(y_true, y_pred, sample_weight)`. `sample_weight`, when defined, holds one
  /// weight per sample (`[N]`, as float32 on `y_pred`'s device). Default: none (all weights 1).
  torch::Tensor operator()(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                           const torch::Tensor& sample_weight = {}) const;

  /// The batch mean of the loss, given the model's output layer's pre-activation values and
  /// its activation name. Cross-entropy after softmax or sigmoid is computed from the
  /// logits (log-softmax, not the log of a softmax); otherwise the activation is applied.
  /// `sample_weight` as in `operator()`.
  torch::Tensor from_layer_output(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                  std::string_view activation, const torch::Tensor& sample_weight = {}) const;

  /// Checks targets `y` against the model's output shape (without the batch axis) and
  /// returns them in the dtype and shape the loss computes with: int64 `[N]` class indices for
  /// the sparse loss, float32 otherwise. `layer` names the output layer in error messages,
  /// e.g. `Dense "dense_1"`. Throws `tkeras::Error` for labels outside 0..units-1, non-integer
  /// class indices, shapes that do not match, and binary targets outside [0, 1].
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape, std::string_view layer) const;

  /// The loss as a model file keeps it, in Keras's names: `{"name": "huber", "from_logits":
  /// false, "delta": 2.0}` (`delta` for Huber only).
  Config get_config() const;
  /// The loss a `get_config()` describes; an absent `from_logits` or `delta` takes its default.
  /// Throws `tkeras::Error` for an unknown name or a bad option.
  static Loss from_config(const Config& config);

  /// The valid names, sorted.
  static const std::vector<std::string>& names();

 protected:
  /// A loss of `kind` with `from_logits` and Huber's `delta`.
  Loss(Kind kind, bool from_logits, double delta = 1.0);

 private:
  // Keras's loss function: the per-sample loss values (`[N]`, or `[N, T]` for outputs with a time
  // axis), before the reduction; arguments as from_layer_output's.
  torch::Tensor sample_losses(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const;

  Kind kind_;
  bool from_logits_ = false;
  double delta_ = 1.0;
};

/// Cross-entropy between integer class labels `[N]` and class probabilities `[N, C]`.
class SparseCategoricalCrossentropy : public Loss {
 public:
  /// Default: probabilities, not logits.
  explicit SparseCategoricalCrossentropy(CrossentropyOptions options = {});
};

/// Cross-entropy between one-hot labels `[N, C]` and class probabilities `[N, C]`.
class CategoricalCrossentropy : public Loss {
 public:
  /// Default: probabilities, not logits.
  explicit CategoricalCrossentropy(CrossentropyOptions options = {});
};

/// Cross-entropy between 0/1 labels and probabilities of the positive class.
class BinaryCrossentropy : public Loss {
 public:
  /// Default: probabilities, not logits.
  explicit BinaryCrossentropy(CrossentropyOptions options = {});
};

/// The mean of squared differences.
class MeanSquaredError : public Loss {
 public:
  MeanSquaredError();
};

/// The mean of absolute differences, as Keras's `MeanAbsoluteError`.
class MeanAbsoluteError : public Loss {
 public:
  MeanAbsoluteError();
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

}  // namespace tkeras::losses
