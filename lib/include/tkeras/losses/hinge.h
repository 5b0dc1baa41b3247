// The hinge losses for maximum-margin classification, as Keras's.
#pragma once

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// `mean(max(1 - y * p, 0))` over the last axis, for targets of -1 or 1 (`"hinge"`); 0/1 targets
/// are taken as -1/1, as Keras does, when every target of the batch is 0 or 1.
class Hinge : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit Hinge(LossOptions options = {});
};

/// `mean(max(1 - y * p, 0)^2)` over the last axis (`"squared_hinge"`); targets as Hinge's.
class SquaredHinge : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit SquaredHinge(LossOptions options = {});
};

/// `max(max((1 - y) * p) - sum(y * p) + 1, 0)` for one-hot targets (`"categorical_hinge"`).
class CategoricalHinge : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit CategoricalHinge(LossOptions options = {});
};

}  // namespace tkeras::losses
