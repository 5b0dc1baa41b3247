// RandomFactor: the range a random augmentation layer draws from, as Keras's `factor` arguments.
#pragma once

#include <algorithm>
#include <cmath>

namespace tkeras::layers {

/// A range [lower, upper] to draw from uniformly, as Keras's `factor` arguments: one number `f`
/// means [-|f|, |f|]; two numbers `{lower, upper}` are the range itself (in either order).
struct RandomFactor {
  /// [-|factor|, |factor|].
  RandomFactor(double factor) : lower(-std::abs(factor)), upper(std::abs(factor)) {}  // NOLINT: implicit, as Keras
  /// [min(a, b), max(a, b)].
  RandomFactor(double a, double b) : lower(std::min(a, b)), upper(std::max(a, b)) {}

  double lower;  ///< The smallest value drawn.
  double upper;  ///< The largest value drawn.
};

}  // namespace tkeras::layers
