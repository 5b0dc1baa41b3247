// Keras's correlation functions, in float64, and the two mean metrics over them (Keras's
// MeanMetricWrapper: a total and a count, which add across processes).
#include "tkeras/metrics/correlation.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::metrics {
namespace {

// Keras's backend epsilon, added to the concordance's denominator.
constexpr double kCorrelationEpsilon = 1e-7;

// Targets and outputs as float64 of one rank and broadcastable sizes, and `axis` as distinct axes
// of that rank (every axis for none).
std::tuple<torch::Tensor, torch::Tensor, std::vector<int64_t>> correlation_inputs(const torch::Tensor& y_true,
                                                                                  const torch::Tensor& y_pred,
                                                                                  const std::vector<int64_t>& axis,
                                                                                  std::string_view function) {
  // Keras's squeeze_or_expand_to_same_rank first: a trailing axis of 1 on one side only is dropped.
  auto [t, p] = detail::same_rank(y_true.to(torch::kFloat64), y_pred.to(torch::kFloat64));
  bool broadcast = t.dim() == p.dim();
  for (int64_t i = 0; broadcast && i < t.dim(); ++i) {
    broadcast = t.size(i) == p.size(i) || t.size(i) == 1 || p.size(i) == 1;
  }
  if (!broadcast) {
    throw Error(
        fmt::format("{}: expected targets and outputs of one shape, received y_true of shape {} and y_pred of "
                    "shape {}",
                    function, format_shape(y_true.sizes().vec()), format_shape(y_pred.sizes().vec())));
  }
  const int64_t rank = t.dim();
  std::vector<int64_t> dims;
  for (const int64_t a : axis) {
    if (a < -rank || a >= rank) {
      throw Error(fmt::format("{}: expected axes in {}..{} for values of rank {}, received axis=[{}]", function, -rank,
                              rank - 1, rank, fmt::join(axis, ", ")));
    }
    const int64_t dim = a < 0 ? a + rank : a;
    if (std::find(dims.begin(), dims.end(), dim) != dims.end()) {
      throw Error(fmt::format("{}: expected distinct axes, received axis=[{}]", function, fmt::join(axis, ", ")));
    }
    dims.push_back(dim);
  }
  if (axis.empty()) {
    for (int64_t dim = 0; dim < rank; ++dim) dims.push_back(dim);
  }
  return {std::move(t), std::move(p), std::move(dims)};
}

Config correlation_axis_config(const std::vector<int64_t>& axis) {
  if (axis.empty()) return nullptr;
  if (axis.size() == 1) return axis.front();
  return axis;
}

// Keras's axis: absent is the last axis, null every axis, an integer or a list of them.
std::vector<int64_t> read_correlation_axis(registry::OptionsReader& read, const Config& config) {
  std::optional<std::vector<int64_t>> axis = read.integers("axis");
  if (axis) return std::move(*axis);
  return config.contains("axis") ? std::vector<int64_t>{} : std::vector<int64_t>{-1};
}

}  // namespace

torch::Tensor pearson_correlation(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                  const std::vector<int64_t>& axis) {
  const auto [t, p, dims] = correlation_inputs(y_true, y_pred, axis, "pearson_correlation");
  torch::Tensor true_norm = t - t.mean(dims, /*keepdim=*/true);
  torch::Tensor pred_norm = p - p.mean(dims, /*keepdim=*/true);
  // Keras's ops.std: the population's, without Bessel's correction.
  true_norm = true_norm / true_norm.std(dims, /*unbiased=*/false, /*keepdim=*/true);
  pred_norm = pred_norm / pred_norm.std(dims, /*unbiased=*/false, /*keepdim=*/true);
  return (true_norm * pred_norm).mean(dims);
}

torch::Tensor concordance_correlation(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                      const std::vector<int64_t>& axis) {
  const auto [t, p, dims] = correlation_inputs(y_true, y_pred, axis, "concordance_correlation");
  const torch::Tensor true_mean = t.mean(dims, /*keepdim=*/true);
  const torch::Tensor pred_mean = p.mean(dims, /*keepdim=*/true);
  const torch::Tensor true_var = (t - true_mean).var(dims, /*unbiased=*/false, /*keepdim=*/true);
  const torch::Tensor pred_var = (p - pred_mean).var(dims, /*unbiased=*/false, /*keepdim=*/true);
  // Keras 3.15.1 writes (y_true - mean(y_pred)) here: the same mean over the axes, as the outputs'
  // deviations sum to 0 there.
  const torch::Tensor covariance = (t - true_mean) * (p - pred_mean);
  const torch::Tensor norm = true_var + pred_var + (true_mean - pred_mean).square();
  return (2.0 * covariance / (norm + kCorrelationEpsilon)).mean(dims);
}

PearsonCorrelation::PearsonCorrelation(PearsonCorrelationOptions options)
    : MeanMetricWrapper(
          [axis = options.axis](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
            return pearson_correlation(y_true, y_pred, axis);
          },
          std::move(options.name)),
      axis_(std::move(options.axis)) {}

Config PearsonCorrelation::config_options() const { return {{"axis", correlation_axis_config(axis_)}}; }

ConcordanceCorrelation::ConcordanceCorrelation(ConcordanceCorrelationOptions options)
    : MeanMetricWrapper(
          [axis = options.axis](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
            return concordance_correlation(y_true, y_pred, axis);
          },
          std::move(options.name)),
      axis_(std::move(options.axis)) {}

Config ConcordanceCorrelation::config_options() const { return {{"axis", correlation_axis_config(axis_)}}; }

namespace {

const registry::Registrar pearson_correlation_registration(registry::MetricClass{
    .class_name = "PearsonCorrelation",
    .name = "pearson_correlation",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      registry::OptionsReader read(config, "PearsonCorrelation");
      PearsonCorrelationOptions options{.axis = read_correlation_axis(read, config)};
      read.done();
      return std::make_shared<PearsonCorrelation>(std::move(options));
    }});

const registry::Registrar concordance_correlation_registration(registry::MetricClass{
    .class_name = "ConcordanceCorrelation",
    .name = "concordance_correlation",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      registry::OptionsReader read(config, "ConcordanceCorrelation");
      ConcordanceCorrelationOptions options{.axis = read_correlation_axis(read, config)};
      read.done();
      return std::make_shared<ConcordanceCorrelation>(std::move(options));
    }});

}  // namespace
}  // namespace tkeras::metrics
