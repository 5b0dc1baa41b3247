// Regularizers: penalties on a weight (or a layer's outputs) added to the training loss, as
// keras.regularizers: L1, L2, L1L2 and OrthogonalRegularizer, and the functions that name, save
// and read them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/identifier.h"

namespace tkeras::regularizers {

/// The base of every regularizer, as Keras's `keras.regularizers.Regularizer`: called with a
/// weight (Keras's layout) or a layer's outputs, it gives a scalar penalty that `fit` and
/// `evaluate` add to the loss, as Keras adds `model.losses`.
///
/// Example:
/// ```
/// tkeras::layers::Dense(64, "relu", {.kernel_regularizer = tkeras::regularizers::L2(1e-4)});
/// ```
class Regularizer {
 public:
  virtual ~Regularizer() = default;
  /// The penalty on `x`, a scalar of its dtype.
  virtual torch::Tensor operator()(const torch::Tensor& x) const = 0;
  /// Keras's class name: `L2`.
  virtual std::string class_name() const = 0;
  /// The options, as Keras's `get_config()`: `{"l2": 0.01}`.
  virtual Config get_config() const = 0;
};

/// `l1 * sum(|x|) + l2 * sum(x^2)`, as Keras's `L1L2` (`"l1l2"`); a term whose factor is 0 is left
/// out. Factors: Default: 0; each a finite number >= 0 (else the constructor throws
/// `tkeras::Error`).
class L1L2 : public Regularizer {
 public:
  /// With the factors `l1` and `l2`.
  explicit L1L2(double l1 = 0.0, double l2 = 0.0);
  torch::Tensor operator()(const torch::Tensor& x) const override;
  std::string class_name() const override { return "L1L2"; }
  Config get_config() const override { return {{"l1", l1_}, {"l2", l2_}}; }

 private:
  double l1_;
  double l2_;
};

/// `l1 * sum(|x|)`, as Keras's `L1` (`"l1"`). `l1`: Default: 0.01; a finite number >= 0.
class L1 : public Regularizer {
 public:
  /// With the factor `l1`.
  explicit L1(double l1 = 0.01);
  torch::Tensor operator()(const torch::Tensor& x) const override;
  std::string class_name() const override { return "L1"; }
  Config get_config() const override;

 private:
  double l1_;
};

/// `l2 * sum(x^2)`, as Keras's `L2` (`"l2"`). `l2`: Default: 0.01; a finite number >= 0.
class L2 : public Regularizer {
 public:
  /// With the factor `l2`.
  explicit L2(double l2 = 0.01);
  torch::Tensor operator()(const torch::Tensor& x) const override;
  std::string class_name() const override { return "L2"; }
  Config get_config() const override { return {{"l2", l2_}}; }

 private:
  double l2_;
};

/// The options of `OrthogonalRegularizer`, as Keras's.
struct OrthogonalRegularizerOptions {
  double factor = 0.01;       ///< The penalty's factor, >= 0. Default: 0.01.
  std::string mode = "rows";  ///< `rows` or `columns`: which vectors should be orthogonal. Default: `rows`.
};

/// A penalty on the non-orthogonality of a 2-D weight's rows (or columns), as Keras's
/// `OrthogonalRegularizer` (`"orthogonal_regularizer"`): `factor * 0.5 * sum(|P - diag P|) /
/// pairs`, `P` the products of the unit-normalized vectors. Throws `tkeras::Error` for another
/// rank.
class OrthogonalRegularizer : public Regularizer {
 public:
  /// With `options` (Keras's defaults: factor 0.01, rows).
  explicit OrthogonalRegularizer(OrthogonalRegularizerOptions options = {});
  torch::Tensor operator()(const torch::Tensor& x) const override;
  std::string class_name() const override { return "OrthogonalRegularizer"; }
  Config get_config() const override;

 private:
  OrthogonalRegularizerOptions options_;
};

/// What a layer's `*_regularizer` option holds: nothing (Default), a name (`"l2"`, `"l1l2"`, a
/// class name), or a regularizer.
using Identifier = ObjectIdentifier<Regularizer>;

/// The regularizer `identifier` names or holds, as Keras's `keras.regularizers.get`; null for
/// nothing. Throws `tkeras::Error` for an unknown name.
std::shared_ptr<const Regularizer> get(const Identifier& identifier);
/// Makes a regularizer from Keras's serialized form: a name, or `{"class_name": ..., "config":
/// ...}`; null for null. Throws `tkeras::Error` naming an unknown class or option.
std::shared_ptr<const Regularizer> deserialize(const Config& config);
/// Keras's serialized form of `regularizer`: `{"module": "keras.regularizers", "class_name",
/// "config", "registered_name": null}`.
Config serialize(const Regularizer& regularizer);
/// Keras's serialized form of `identifier`; null for nothing.
Config serialize(const Identifier& identifier);
/// Every name `get` takes besides the class names, sorted.
std::vector<std::string> names();

}  // namespace tkeras::regularizers
