// The initializers that draw random values, as keras.initializers' random initializers:
// RandomNormal, TruncatedNormal, RandomUniform, VarianceScaling and its named forms (Glorot, He,
// Lecun), and Orthogonal.
//
// A seeded initializer draws what Keras's torch backend draws on the CPU for the same seed (the
// same LibTorch generator, seeded alike, and the same operations), and the same values at each
// call, as Keras's. Unseeded, it draws from LibTorch's default generator, which
// `tkeras::utils::set_random_seed` seeds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/initializers/initializer.h"

namespace tkeras::initializers {

/// The options of `RandomNormal` and `TruncatedNormal`, as Keras's.
struct RandomNormalOptions {
  double mean = 0.0;            ///< The mean. Default: 0.
  double stddev = 0.05;         ///< The standard deviation. Default: 0.05.
  std::optional<int64_t> seed;  ///< The seed. Default: none (LibTorch's default generator).
};

/// Normally distributed values, as Keras's `RandomNormal` (`"random_normal"`, `"normal"`).
class RandomNormal : public Initializer {
 public:
  /// With `options` (Keras's defaults: mean 0, stddev 0.05, no seed).
  explicit RandomNormal(RandomNormalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "RandomNormal"; }
  Config get_config() const override;

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  RandomNormalOptions options_;
};

/// Normally distributed values redrawn beyond two standard deviations, as Keras's
/// `TruncatedNormal` (`"truncated_normal"`). Options as `RandomNormal`'s.
class TruncatedNormal : public Initializer {
 public:
  /// With `options` (Keras's defaults: mean 0, stddev 0.05, no seed).
  explicit TruncatedNormal(RandomNormalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "TruncatedNormal"; }
  Config get_config() const override;

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  RandomNormalOptions options_;
};

/// The options of `RandomUniform`, as Keras's.
struct RandomUniformOptions {
  double minval = -0.05;        ///< The lower bound. Default: -0.05.
  double maxval = 0.05;         ///< The upper bound. Default: 0.05.
  std::optional<int64_t> seed;  ///< The seed. Default: none.
};

/// Uniformly distributed values, as Keras's `RandomUniform` (`"random_uniform"`, `"uniform"`):
/// Embedding's default.
class RandomUniform : public Initializer {
 public:
  /// With `options` (Keras's defaults: [-0.05, 0.05), no seed).
  explicit RandomUniform(RandomUniformOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "RandomUniform"; }
  Config get_config() const override;

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  RandomUniformOptions options_;
};

/// The options of `VarianceScaling`, as Keras's.
struct VarianceScalingOptions {
  double scale = 1.0;                               ///< Positive. Default: 1.
  std::string mode = "fan_in";                      ///< `fan_in`, `fan_out` or `fan_avg`. Default: `fan_in`.
  std::string distribution = "truncated_normal";    ///< `truncated_normal` (or `normal`), `untruncated_normal`
                                                    ///< or `uniform`. Default: `truncated_normal`.
  std::optional<int64_t> seed;                      ///< The seed. Default: none.
  std::optional<std::vector<int64_t>> input_axes;   ///< The axes of the fan-in. Default: Keras's rule.
  std::optional<std::vector<int64_t>> output_axes;  ///< The axes of the fan-out. Default: Keras's rule.
};

/// Values scaled to the weight's fans, as Keras's `VarianceScaling`: with `scale / n` (`n` the
/// fan-in, the fan-out or their mean), a truncated normal of that variance, an untruncated one,
/// or a uniform one. The fans are Keras's: for a kernel of more than 2 axes, the last two axes
/// times the receptive field. Throws `tkeras::Error` for a bad option.
class VarianceScaling : public Initializer {
 public:
  /// With `options` (Keras's defaults: scale 1, fan_in, truncated normal, no seed).
  explicit VarianceScaling(VarianceScalingOptions options = {});
  std::string class_name() const override { return "VarianceScaling"; }
  Config get_config() const override;
  /// The options, `normal` read as `truncated_normal`.
  const VarianceScalingOptions& options() const { return options_; }

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  VarianceScalingOptions options_;
};

/// The options of the named variance scalings (Glorot, He, Lecun), as Keras's.
struct ScalingOptions {
  std::optional<int64_t> seed;                      ///< The seed. Default: none.
  std::optional<std::vector<int64_t>> input_axes;   ///< The axes of the fan-in. Default: Keras's rule.
  std::optional<std::vector<int64_t>> output_axes;  ///< The axes of the fan-out. Default: Keras's rule.
};

/// A variance scaling with a fixed scale, mode and distribution, named as Keras names it.
class NamedScaling : public VarianceScaling {
 public:
  std::string class_name() const override { return class_name_; }
  /// Keras's config of the named forms: `seed`, `input_axes`, `output_axes`.
  Config get_config() const override;

 protected:
  /// Keras's class `class_name`: a variance scaling of `scale`, `mode` and `distribution`, with
  /// the seed and axes of `options`.
  NamedScaling(std::string class_name, double scale, std::string mode, std::string distribution,
               const ScalingOptions& options);

 private:
  std::string class_name_;
};

/// `U(-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`, as Keras's `GlorotUniform`
/// (`"glorot_uniform"`): the default of kernels.
class GlorotUniform : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit GlorotUniform(const ScalingOptions& options = {})
      : NamedScaling("GlorotUniform", 1.0, "fan_avg", "uniform", options) {}
};

/// A truncated normal of variance `2 / (fan_in + fan_out)`, as Keras's `GlorotNormal`
/// (`"glorot_normal"`).
class GlorotNormal : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit GlorotNormal(const ScalingOptions& options = {})
      : NamedScaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", options) {}
};

/// A truncated normal of variance `2 / fan_in`, as Keras's `HeNormal` (`"he_normal"`).
class HeNormal : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit HeNormal(const ScalingOptions& options = {})
      : NamedScaling("HeNormal", 2.0, "fan_in", "truncated_normal", options) {}
};

/// `U(-l, l)`, `l = sqrt(6 / fan_in)`, as Keras's `HeUniform` (`"he_uniform"`).
class HeUniform : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit HeUniform(const ScalingOptions& options = {})
      : NamedScaling("HeUniform", 2.0, "fan_in", "uniform", options) {}
};

/// A truncated normal of variance `1 / fan_in`, as Keras's `LecunNormal` (`"lecun_normal"`).
class LecunNormal : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit LecunNormal(const ScalingOptions& options = {})
      : NamedScaling("LecunNormal", 1.0, "fan_in", "truncated_normal", options) {}
};

/// `U(-l, l)`, `l = sqrt(3 / fan_in)`, as Keras's `LecunUniform` (`"lecun_uniform"`).
class LecunUniform : public NamedScaling {
 public:
  /// With `options` (no seed by default).
  explicit LecunUniform(const ScalingOptions& options = {})
      : NamedScaling("LecunUniform", 1.0, "fan_in", "uniform", options) {}
};

/// The options of `Orthogonal`, as Keras's.
struct OrthogonalOptions {
  double gain = 1.0;            ///< The factor on the matrix. Default: 1.
  std::optional<int64_t> seed;  ///< The seed. Default: none.
};

/// An orthogonal matrix (of the QR decomposition of a normal one), as Keras's `Orthogonal`
/// (`"orthogonal"`): the default of recurrent kernels. The weight must have at least 2 axes
/// (the call throws `tkeras::Error` otherwise); the ones before the last are flattened.
class Orthogonal : public Initializer {
 public:
  /// With `options` (Keras's defaults: gain 1, no seed).
  explicit Orthogonal(OrthogonalOptions options = {}) : options_(options) {}
  std::string class_name() const override { return "Orthogonal"; }
  Config get_config() const override;

 protected:
  torch::Tensor generate(const Shape& shape) const override;

 private:
  OrthogonalOptions options_;
};

}  // namespace tkeras::initializers
