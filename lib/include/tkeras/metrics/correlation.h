// The correlation metrics, as Keras's: PearsonCorrelation and ConcordanceCorrelation, the mean over
// samples of each sample's correlation between targets and outputs along an axis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

/// Keras's `pearson_correlation`: the Pearson correlation of targets and outputs along `axis`
/// (empty: every axis), one value per remaining position (`[N]` for `[N, D]` and the last axis).
/// A constant target or output along the axis gives NaN, as in Keras. A trailing axis of 1 on one
/// side only is dropped (Keras's squeeze_or_expand_to_same_rank). Throws `tkeras::Error` for
/// shapes that do not broadcast or an axis out of range.
torch::Tensor pearson_correlation(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                  const std::vector<int64_t>& axis = {-1});

/// Keras's `concordance_correlation`, Lin's coefficient along `axis` (empty: every axis), one value
/// per remaining position: `2 * cov(y_true, y_pred) / (var(y_true) + var(y_pred) + (mean(y_true) -
/// mean(y_pred))^2 + 1e-7)`, with population (co)variances. 1 only where outputs equal targets.
/// Throws as `pearson_correlation`.
torch::Tensor concordance_correlation(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                      const std::vector<int64_t>& axis = {-1});

/// PearsonCorrelation's options, in Keras's order.
struct PearsonCorrelationOptions {
  /// The name in the logs. Default: `"pearson_correlation"`.
  std::string name = "pearson_correlation";
  /// The axes each correlation runs along; empty for every axis (Keras's None). Default: `{-1}`.
  std::vector<int64_t> axis = {-1};
};

/// The mean over samples of `pearson_correlation` (each sample's correlation along `axis`, not one
/// correlation over the batch), weighted by the sample weights, as Keras's `PearsonCorrelation`.
/// Keeps Keras's `total` and `count`.
///
/// Example: `model.compile({.loss = "mse", .metrics = {tkeras::metrics::PearsonCorrelation()}})`.
class PearsonCorrelation : public MeanMetricWrapper {
 public:
  /// Default: correlations along the last axis.
  explicit PearsonCorrelation(PearsonCorrelationOptions options = {});
  std::string class_name() const override { return "PearsonCorrelation"; }
  /// `axis`: an integer for one axis, a list for several, null for every axis.
  Config config_options() const override;
  /// The axes the correlations run along (empty: every axis).
  const std::vector<int64_t>& axis() const { return axis_; }

 private:
  std::vector<int64_t> axis_;
};

/// ConcordanceCorrelation's options, in Keras's order.
struct ConcordanceCorrelationOptions {
  /// The name in the logs. Default: `"concordance_correlation"`.
  std::string name = "concordance_correlation";
  /// The axes each coefficient runs along; empty for every axis (Keras's None). Default: `{-1}`.
  std::vector<int64_t> axis = {-1};
};

/// The mean over samples of `concordance_correlation`, weighted by the sample weights, as Keras's
/// `ConcordanceCorrelation`. Keeps Keras's `total` and `count`.
class ConcordanceCorrelation : public MeanMetricWrapper {
 public:
  /// Default: coefficients along the last axis.
  explicit ConcordanceCorrelation(ConcordanceCorrelationOptions options = {});
  std::string class_name() const override { return "ConcordanceCorrelation"; }
  /// `axis`: an integer for one axis, a list for several, null for every axis.
  Config config_options() const override;
  /// The axes the coefficients run along (empty: every axis).
  const std::vector<int64_t>& axis() const { return axis_; }

 private:
  std::vector<int64_t> axis_;
};

}  // namespace tkeras::metrics
