// A loss and metrics of one's own, as a C++ user writes them: used by the custom_objects tests and,
// written again in Python, by the parity suite's test_custom_objects.py (through driver.cpp).
#pragma once

#include <memory>
#include <string>

#include <torch/torch.h>

#include "tkeras/core/config.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/metric.h"
#include "tkeras/saving/custom_objects.h"

namespace tkeras::testing {

/// A function loss: twice the mean squared error per sample.
inline torch::Tensor doubled_squared_error(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  return 2.0 * (y_true - y_pred).square().mean(-1);
}

/// A function metric: the mean absolute difference per sample.
inline torch::Tensor absolute_difference(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  return (y_true - y_pred).abs().mean(-1);
}

/// A loss class with an option, as a Keras Loss subclass with get_config.
class ScaledError : public losses::LossFunction {
 public:
  explicit ScaledError(double scale) : scale_(scale) {}
  std::string class_name() const override { return "ScaledError"; }
  std::string name() const override { return "scaled_error"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return scale_ * (y_true - y_pred).square().mean(-1);
  }
  Config get_config() const override { return {{"scale", scale_}}; }

 private:
  double scale_;
};

/// A metric class: the largest absolute error so far.
class MaxError : public metrics::Metric {
 public:
  MaxError() : Metric("max_error") { largest_ = add_variable("largest"); }
  std::string class_name() const override { return "MaxError"; }
  using Metric::update_state;
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& /*sample_weight*/) override {
    variable(largest_).copy_(torch::maximum(variable(largest_), (y_true - y_pred).abs().max().to(torch::kFloat64)));
  }
  torch::Tensor result() const override { return variable(largest_).clone(); }

 private:
  size_t largest_ = 0;
};

/// Factories for all four, under the names Keras's files keep them by.
inline saving::CustomObjects custom_pieces() {
  return {{"doubled_squared_error", doubled_squared_error},
          {"absolute_difference", absolute_difference},
          {"ScaledError", [](const Config& config) { return ScaledError(config.at("scale").get<double>()); }},
          {"MaxError", [] { return MaxError(); }}};
}

}  // namespace tkeras::testing
