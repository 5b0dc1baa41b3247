// The initializers of fixed values, as keras.initializers' constant initializers: Zeros, Ones,
// Constant and Identity.
#pragma once

#include <string>

#include "tkeras/initializers/initializer.h"

namespace tkeras::initializers {

/// Zeros, as Keras's `Zeros` (`"zeros"`, `"zero"`): the default of biases.
class Zeros : public Initializer {
 public:
  std::string class_name() const override { return "Zeros"; }

 protected:
  torch::Tensor generate(const Shape& shape) const override;
};

/// Ones, as Keras's `Ones` (`"ones"`, `"one"`): the default of BatchNormalization's gamma.
class Ones : public Initializer {
 public:
  std::string class_name() const override { return "Ones"; }

 protected:
  torch::Tensor generate(const Shape& shape) const override;
};

/// One value everywhere, as Keras's `Constant(value)`. `value`: Default: 0.
class Constant : public Initializer {
 public:
  /// Every element `value`.
  explicit Constant(double value = 0.0) : value_(value) {}
  /// The value.
  double value() const { return value_; }
  std::string class_name() const override { return "Constant"; }
  Config get_config() const override { return {{"value", value_}}; }

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  double value_;
};

/// `gain` times the identity matrix, as Keras's `Identity` (`"identity"`): for 2-D weights only
/// (the call throws `tkeras::Error` otherwise). `gain`: Default: 1.
class Identity : public Initializer {
 public:
  /// `gain` on the diagonal.
  explicit Identity(double gain = 1.0) : gain_(gain) {}
  std::string class_name() const override { return "Identity"; }
  Config get_config() const override { return {{"gain", gain_}}; }

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  double gain_;
};

}  // namespace tkeras::initializers
