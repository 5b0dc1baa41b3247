// Learning-rate schedules: a learning rate that changes with the optimizer's step, as Keras's
// keras.optimizers.schedules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"

namespace tkeras::optimizers::schedules {

namespace detail {
class ScheduleImpl;
}

/// A learning rate as a function of the optimizer's step, as Keras's `LearningRateSchedule`: give
/// one as an optimizer's `learning_rate`, and each update uses its value at the number of updates
/// done before it (Keras's `optimizer.iterations`: 0 for the first). Under `jit` it is computed on
/// the device from the device's step count, so a captured step needs no host value. A schedule is
/// a value (copies share the same immutable settings).
///
/// Example:
/// ```
/// using namespace tkeras::optimizers;
/// model.compile({.optimizer = Adam({.learning_rate = schedules::CosineDecay({.initial_learning_rate = 1e-3,
///                                                                            .decay_steps = 1000})})});
/// ```
class LearningRateSchedule {
 public:
  /// The learning rate at `step` (updates done before this one).
  double operator()(int64_t step) const;
  /// The same, computed with LibTorch's ops from a 0-d float64 tensor on any device.
  torch::Tensor operator()(const torch::Tensor& step) const;
  /// Keras's class name: `ExponentialDecay`, `PiecewiseConstantDecay`, `PolynomialDecay`,
  /// `InverseTimeDecay`, `CosineDecay` or `CosineDecayRestarts`.
  std::string class_name() const;
  /// The options as Keras's `get_config()` names them.
  Config get_config() const;
  /// As Keras's `keras.optimizers.schedules.serialize`: `{"module": "keras.optimizers.schedules",
  /// "class_name": ..., "config": ..., "registered_name": null}`.
  Config serialize() const;
  /// As Keras's `deserialize`: a schedule from what `serialize` writes (`module` and
  /// `registered_name` may be absent). Throws `tkeras::Error` naming what was expected for an
  /// unknown class or a bad option.
  static LearningRateSchedule deserialize(const Config& serialized);
  /// The class names `deserialize` knows, sorted.
  static std::vector<std::string> class_names();

 protected:
  /// A schedule computed by `impl`.
  explicit LearningRateSchedule(std::shared_ptr<const detail::ScheduleImpl> impl);

 private:
  std::shared_ptr<const detail::ScheduleImpl> impl_;
};

/// `ExponentialDecay`'s options, as Keras's: `initial_learning_rate * decay_rate ^ (step /
/// decay_steps)`, the exponent floored when `staircase`.
struct ExponentialDecayOptions {
  double initial_learning_rate = 0.0;     ///< The rate at step 0. Required.
  double decay_steps = 0.0;               ///< Steps per decay by `decay_rate` (> 0). Required.
  double decay_rate = 0.0;                ///< The factor per `decay_steps`. Required.
  bool staircase = false;                 ///< Decay at whole multiples of `decay_steps` only. Default: false.
  std::string name = "ExponentialDecay";  ///< Default: "ExponentialDecay".
};
/// Keras's `ExponentialDecay`. Throws `tkeras::Error` unless `decay_steps > 0`.
class ExponentialDecay : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit ExponentialDecay(ExponentialDecayOptions options);
};

/// `PiecewiseConstantDecay`'s options, as Keras's: `values[0]` up to and including step
/// `boundaries[0]`, `values[i]` for steps in `(boundaries[i-1], boundaries[i]]`, the last value
/// after the last boundary.
struct PiecewiseConstantDecayOptions {
  std::vector<double> boundaries;          ///< Increasing steps. Required.
  std::vector<double> values;              ///< One more than `boundaries`. Required.
  std::string name = "PiecewiseConstant";  ///< Default: "PiecewiseConstant".
};
/// Keras's `PiecewiseConstantDecay`. Throws `tkeras::Error` unless there is one more value than
/// boundaries.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);
};

/// `PolynomialDecay`'s options, as Keras's: from `initial_learning_rate` to `end_learning_rate` over
/// `decay_steps` along `(1 - step / decay_steps) ^ power`, then constant; with `cycle` the decay
/// starts again at each multiple of `decay_steps`, stretched to the next multiple.
struct PolynomialDecayOptions {
  double initial_learning_rate = 0.0;    ///< The rate at step 0. Required.
  double decay_steps = 0.0;              ///< Steps of the decay (> 0). Required.
  double end_learning_rate = 0.0001;     ///< The rate it ends at. Default: 0.0001.
  double power = 1.0;                    ///< The polynomial's power. Default: 1.
  bool cycle = false;                    ///< Start over past `decay_steps`. Default: false.
  std::string name = "PolynomialDecay";  ///< Default: "PolynomialDecay".
};
/// Keras's `PolynomialDecay`. Throws `tkeras::Error` unless `decay_steps > 0`.
class PolynomialDecay : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit PolynomialDecay(PolynomialDecayOptions options);
};

/// `InverseTimeDecay`'s options, as Keras's: `initial_learning_rate / (1 + decay_rate * step /
/// decay_steps)`, the quotient floored when `staircase`.
struct InverseTimeDecayOptions {
  double initial_learning_rate = 0.0;     ///< The rate at step 0. Required.
  double decay_steps = 0.0;               ///< Steps per unit of decay (> 0). Required.
  double decay_rate = 0.0;                ///< The decay per `decay_steps`. Required.
  bool staircase = false;                 ///< Decay at whole multiples of `decay_steps` only. Default: false.
  std::string name = "InverseTimeDecay";  ///< Default: "InverseTimeDecay".
};
/// Keras's `InverseTimeDecay`. Throws `tkeras::Error` unless `decay_steps > 0`.
class InverseTimeDecay : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit InverseTimeDecay(InverseTimeDecayOptions options);
};

/// `CosineDecay`'s options, as Keras's: with a `warmup_target`, a linear warm-up from
/// `initial_learning_rate` to it over `warmup_steps`; then a cosine from the rate reached down to
/// `alpha` times it over `decay_steps`, and constant after.
struct CosineDecayOptions {
  double initial_learning_rate = 0.0;   ///< The rate at step 0. Required.
  double decay_steps = 0.0;             ///< Steps of the cosine (> 0). Required.
  double alpha = 0.0;                   ///< The fraction of the rate it ends at. Default: 0.
  std::string name = "CosineDecay";     ///< Default: "CosineDecay".
  std::optional<double> warmup_target;  ///< The rate the warm-up reaches. Default: no warm-up.
  double warmup_steps = 0.0;            ///< Steps of the warm-up. Default: 0.
};
/// Keras's `CosineDecay`. Throws `tkeras::Error` unless `decay_steps > 0`.
class CosineDecay : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit CosineDecay(CosineDecayOptions options);
};

/// `CosineDecayRestarts`'s options, as Keras's (SGDR): cosine decays from `initial_learning_rate`
/// toward `alpha` times it, the first over `first_decay_steps`, each next `t_mul` times longer and
/// starting `m_mul` times lower.
struct CosineDecayRestartsOptions {
  double initial_learning_rate = 0.0;  ///< The rate at step 0. Required.
  double first_decay_steps = 0.0;      ///< Steps of the first decay (> 0). Required.
  double t_mul = 2.0;                  ///< Each period's length over the previous one's. Default: 2.
  double m_mul = 1.0;                  ///< Each restart's rate over the previous one's. Default: 1.
  double alpha = 0.0;                  ///< The fraction of the rate each decay ends at. Default: 0.
  std::string name = "SGDRDecay";      ///< Default: "SGDRDecay".
};
/// Keras's `CosineDecayRestarts`. Throws `tkeras::Error` unless `first_decay_steps > 0`.
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  /// The schedule with `options`.
  explicit CosineDecayRestarts(CosineDecayRestartsOptions options);
};

}  // namespace tkeras::optimizers::schedules
