// The hinge metrics, as Keras's: the hinge losses averaged over samples.
#pragma once

#include <string>

#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

/// The mean of `max(1 - y * p, 0)`, targets -1 or 1 (0 and 1 are mapped) (`"hinge"`).
class Hinge : public MeanMetricWrapper {
 public:
  /// Default name: `"hinge"`.
  explicit Hinge(std::string name = "hinge");
  std::string class_name() const override { return "Hinge"; }
};

/// The mean of `max(1 - y * p, 0)^2` (`"squared_hinge"`).
class SquaredHinge : public MeanMetricWrapper {
 public:
  /// Default name: `"squared_hinge"`.
  explicit SquaredHinge(std::string name = "squared_hinge");
  std::string class_name() const override { return "SquaredHinge"; }
};

/// The mean of `max(0, max((1 - y) * p) - sum(y * p) + 1)` over one-hot targets
/// (`"categorical_hinge"`).
class CategoricalHinge : public MeanMetricWrapper {
 public:
  /// Default name: `"categorical_hinge"`.
  explicit CategoricalHinge(std::string name = "categorical_hinge");
  std::string class_name() const override { return "CategoricalHinge"; }
};

}  // namespace tkeras::metrics
