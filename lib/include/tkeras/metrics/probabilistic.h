// The probabilistic metrics, as Keras's: the cross-entropies, KL divergence and Poisson loss
// averaged over samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tkeras/losses/loss.h"
#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

/// The mean of `sum(y * log(y / p))`, both clipped to [1e-7, 1] (`"kl_divergence"`).
class KLDivergence : public MeanMetricWrapper {
 public:
  /// Default name: `"kl_divergence"`.
  explicit KLDivergence(std::string name = "kl_divergence");
  std::string class_name() const override { return "KLDivergence"; }
};

/// The mean of `p - y * log(p + 1e-7)` (`"poisson"`).
class Poisson : public MeanMetricWrapper {
 public:
  /// Default name: `"poisson"`.
  explicit Poisson(std::string name = "poisson");
  std::string class_name() const override { return "Poisson"; }
};

/// BinaryCrossentropy's options, in Keras's order.
struct BinaryCrossentropyOptions {
  std::string name = "binary_crossentropy";  ///< The name in the logs. Default: `"binary_crossentropy"`.
  bool from_logits = false;                  ///< Whether outputs are logits. Default: false.
  double label_smoothing = 0.0;              ///< Targets squeezed towards 0.5 by it. Default: 0.
};

/// The binary cross-entropy, averaged over the last axis and the samples (`"binary_crossentropy"`).
class BinaryCrossentropy : public MeanMetricWrapper {
 public:
  /// Default: probabilities, no smoothing.
  explicit BinaryCrossentropy(BinaryCrossentropyOptions options = {});
  std::string class_name() const override { return "BinaryCrossentropy"; }
  Config config_options() const override;

 private:
  bool from_logits_;
  double label_smoothing_;
};

/// CategoricalCrossentropy's options, in Keras's order.
struct CategoricalCrossentropyOptions {
  std::string name = "categorical_crossentropy";  ///< The name in the logs. Default: as the class.
  bool from_logits = false;                       ///< Whether outputs are logits. Default: false.
  double label_smoothing = 0.0;                   ///< Targets smoothed by it. Default: 0.
  int64_t axis = -1;                              ///< The class axis. Default: -1.
};

/// The categorical cross-entropy of one-hot (or soft) targets (`"categorical_crossentropy"`).
class CategoricalCrossentropy : public MeanMetricWrapper {
 public:
  /// Default: probabilities, no smoothing, classes on the last axis.
  explicit CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  Config config_options() const override;

 private:
  bool from_logits_;
  double label_smoothing_;
  int64_t axis_;
};

/// SparseCategoricalCrossentropy's options, in Keras's order.
struct SparseCategoricalCrossentropyOptions {
  std::string name = "sparse_categorical_crossentropy";  ///< The name in the logs. Default: as the class.
  bool from_logits = false;                              ///< Whether outputs are logits. Default: false.
  /// A label that counts in no mean (its positions are left out). Default: none.
  std::optional<int64_t> ignore_class = std::nullopt;
  int64_t axis = -1;  ///< The class axis of the outputs. Default: -1.
};

/// The cross-entropy of class labels (`"sparse_categorical_crossentropy"`).
class SparseCategoricalCrossentropy : public MeanMetricWrapper {
 public:
  /// Default: probabilities, no ignored class, classes on the last axis.
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  using Metric::update_state;
  /// As MeanMetricWrapper's, leaving out the positions whose label is `ignore_class`.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  Config config_options() const override;

 private:
  losses::Loss loss_;
  bool from_logits_;
  std::optional<int64_t> ignore_class_;
  int64_t axis_;
};

}  // namespace tkeras::metrics
