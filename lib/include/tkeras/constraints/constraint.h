// Constraints: what the optimizer's update of a weight is projected onto, as keras.constraints:
// MaxNorm, NonNeg, UnitNorm and MinMaxNorm, and the functions that name, save and read them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/identifier.h"

namespace tkeras::constraints {

/// The base of every constraint, as Keras's `keras.constraints.Constraint`: after each optimizer
/// update, a weight (Keras's layout) is replaced by the constraint's value of it.
///
/// Example:
/// ```
/// tkeras::layers::Dense(64, "relu", {.kernel_constraint = tkeras::constraints::MaxNorm({.max_value = 3})});
/// ```
class Constraint {
 public:
  virtual ~Constraint() = default;
  /// The constrained value of the weight `w`.
  virtual torch::Tensor operator()(const torch::Tensor& w) const = 0;
  /// Keras's class name: `MaxNorm`.
  virtual std::string class_name() const = 0;
  /// The options, as Keras's `get_config()`. Default: none.
  virtual Config get_config() const { return Config::object(); }
};

/// The options of `MaxNorm`, as Keras's.
struct MaxNormOptions {
  double max_value = 2.0;           ///< The largest norm. Default: 2.
  std::vector<int64_t> axis = {0};  ///< The axes of the norms (Dense: 0, each unit's inputs). Default: 0.
};

/// Each vector along `axis` scaled to a norm of at most `max_value`, as Keras's `MaxNorm`
/// (`"max_norm"`): `w * clip(n, 0, max_value) / (1e-7 + n)`.
class MaxNorm : public Constraint {
 public:
  /// With `options` (Keras's defaults: 2, axis 0).
  explicit MaxNorm(MaxNormOptions options = {}) : options_(std::move(options)) {}
  torch::Tensor operator()(const torch::Tensor& w) const override;
  std::string class_name() const override { return "MaxNorm"; }
  Config get_config() const override;

 private:
  MaxNormOptions options_;
};

/// Negative values set to 0, as Keras's `NonNeg` (`"non_neg"`).
class NonNeg : public Constraint {
 public:
  torch::Tensor operator()(const torch::Tensor& w) const override;
  std::string class_name() const override { return "NonNeg"; }
};

/// The options of `UnitNorm`, as Keras's.
struct UnitNormOptions {
  std::vector<int64_t> axis = {0};  ///< The axes of the norms. Default: 0.
};

/// Each vector along `axis` scaled to norm 1, as Keras's `UnitNorm` (`"unit_norm"`): `w / (1e-7 +
/// n)`.
class UnitNorm : public Constraint {
 public:
  /// With `options` (Keras's default: axis 0).
  explicit UnitNorm(UnitNormOptions options = {}) : options_(std::move(options)) {}
  torch::Tensor operator()(const torch::Tensor& w) const override;
  std::string class_name() const override { return "UnitNorm"; }
  Config get_config() const override;

 private:
  UnitNormOptions options_;
};

/// The options of `MinMaxNorm`, as Keras's.
struct MinMaxNormOptions {
  double min_value = 0.0;           ///< The smallest norm. Default: 0.
  double max_value = 1.0;           ///< The largest norm. Default: 1.
  double rate = 1.0;                ///< How far to move to the clipped norm (1: all the way). Default: 1.
  std::vector<int64_t> axis = {0};  ///< The axes of the norms. Default: 0.
};

/// Each vector along `axis` moved towards a norm in `[min_value, max_value]`, as Keras's
/// `MinMaxNorm` (`"min_max_norm"`): `w * (rate * clip(n, min, max) + (1 - rate) * n) / (1e-7 + n)`.
class MinMaxNorm : public Constraint {
 public:
  /// With `options` (Keras's defaults: [0, 1], rate 1, axis 0).
  explicit MinMaxNorm(MinMaxNormOptions options = {}) : options_(std::move(options)) {}
  torch::Tensor operator()(const torch::Tensor& w) const override;
  std::string class_name() const override { return "MinMaxNorm"; }
  Config get_config() const override;

 private:
  MinMaxNormOptions options_;
};

/// What a layer's `*_constraint` option holds: nothing (Default), a name (`"non_neg"`, `"max_norm"`,
/// a class name), or a constraint.
using Identifier = ObjectIdentifier<Constraint>;

/// The constraint `identifier` names or holds, as Keras's `keras.constraints.get`; null for
/// nothing. Throws `tkeras::Error` for an unknown name.
std::shared_ptr<const Constraint> get(const Identifier& identifier);
/// Makes a constraint from Keras's serialized form: a name, or `{"class_name": ..., "config":
/// ...}`; null for null. Throws `tkeras::Error` naming an unknown class or option.
std::shared_ptr<const Constraint> deserialize(const Config& config);
/// Keras's serialized form of `constraint`: `{"module": "keras.constraints", "class_name",
/// "config", "registered_name": null}`.
Config serialize(const Constraint& constraint);
/// Keras's serialized form of `identifier`; null for nothing.
Config serialize(const Identifier& identifier);
/// Every name `get` takes besides the class names, sorted.
std::vector<std::string> names();

}  // namespace tkeras::constraints
