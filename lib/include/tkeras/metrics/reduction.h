// The reduction metrics, as Keras's: Sum and Mean of values, and MeanMetricWrapper, the mean of a
// function of targets and outputs (the base of every mean metric: accuracies, errors...).
#pragma once

#include <functional>
#include <string>

#include <torch/types.h>

#include "tkeras/metrics/metric.h"

namespace tkeras::metrics {

/// The (weighted) sum of the values given, as Keras's `Sum`: `[1, 3, 5, 7]` sums to 16, and to 4
/// with sample weights `[1, 1, 0, 0]`. Values of several axes are summed per sample first.
class Sum : public Metric {
 public:
  /// A sum logged as `name`. Default: `"sum"`.
  explicit Sum(std::string name = "sum");
  std::string class_name() const override { return "Sum"; }
  /// Adds `values` (`[N, ...]`), each sample's times its weight in `sample_weight` when given.
  void update_state(const torch::Tensor& values, const torch::Tensor& sample_weight = {});
  /// Not for compile: a Sum adds values, not targets and outputs (Keras would add the targets,
  /// weighted by the outputs). Throws `tkeras::Error`.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  torch::Tensor result() const override;

 private:
  size_t total_;
};

/// The (weighted) mean of the values given, as Keras's `Mean`: `[1, 3, 5, 7]` averages to 4, and
/// to 2 with sample weights `[1, 1, 0, 0]`. Values of several axes are averaged per sample first;
/// the mean is over samples (or over the weights' sum). 0 before any update.
class Mean : public Metric {
 public:
  /// A mean logged as `name`. Default: `"mean"`.
  explicit Mean(std::string name = "mean");
  std::string class_name() const override { return "Mean"; }
  /// Adds `values` (`[N, ...]`, or a scalar counting as one sample), each sample weighted by
  /// `sample_weight` when given.
  void update_state(const torch::Tensor& values, const torch::Tensor& sample_weight = {});
  /// Not for compile: a Mean averages values, not targets and outputs. Throws `tkeras::Error`;
  /// derived classes (MeanMetricWrapper) make values of targets and outputs.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;
  torch::Tensor result() const override;

 private:
  size_t total_;
  size_t count_;
};

/// The mean over samples of a function of targets and outputs, as Keras's `MeanMetricWrapper`:
/// what compile makes of a metric function.
///
/// Example:
/// ```
/// tkeras::metrics::MeanMetricWrapper max_error(
///     [](const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().amax(-1); }, "max_error");
/// ```
/// A model file keeps it as Keras keeps a metric function (by the function's name; `load_model`
/// then needs the function in `custom_objects` under that name).
class MeanMetricWrapper : public Mean {
 public:
  /// The mean of `fn`'s values, logged as `name`. `function_name` is the name model files keep the
  /// function by, as Keras's function `__name__`. Default: `name`.
  MeanMetricWrapper(MetricFunction fn, std::string name, std::string function_name = "");
  std::string class_name() const override { return "MeanMetricWrapper"; }
  /// The function's name, which model files keep it by.
  const std::string& function_name() const { return function_name_; }
  using Metric::update_state;  // update_state(y_true, y_pred), not Mean's of values
  /// Adds the mean of `fn(y_true, y_pred)` per sample, weighted by `sample_weight` when given.
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight) override;

 private:
  MetricFunction fn_;
  std::string function_name_;
};

}  // namespace tkeras::metrics
