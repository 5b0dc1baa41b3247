// Metrics accumulated on the device, and Keras's resolution of "accuracy".
#include "training/metrics.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::training {
namespace {

constexpr std::array<std::string_view, 9> kMetricNames = {"acc",
                                                          "accuracy",
                                                          "binary_accuracy",
                                                          "categorical_accuracy",
                                                          "mae",
                                                          "mean_absolute_error",
                                                          "mean_squared_error",
                                                          "mse",
                                                          "sparse_categorical_accuracy"};

}  // namespace

void Metric::accumulate(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  torch::Tensor values;
  switch (kind_) {
    case Kind::kBinaryAccuracy:
      values = (y_pred > 0.5).eq(y_true > 0.5);
      break;
    case Kind::kCategoricalAccuracy:
      values = y_pred.argmax(-1).eq(y_true.argmax(-1));
      break;
    case Kind::kSparseCategoricalAccuracy:
      values = y_pred.argmax(-1).eq(y_true);
      break;
    case Kind::kMeanSquaredError:
      values = (y_pred - y_true).square();
      break;
    case Kind::kMeanAbsoluteError:
      values = (y_pred - y_true).abs();
      break;
  }
  // Keras averages over the last axis, then over samples; with equal-length rows that is the
  // mean over all elements. Accuracies count matches exactly, as integers.
  const auto dtype = values.scalar_type() == torch::kBool ? torch::kLong : torch::kFloat64;
  if (!total_.defined()) total_ = torch::zeros({}, values.options().dtype(dtype));
  total_.add_(values.sum(dtype));
}

double Metric::result() const {
  return count_ == 0 || !total_.defined() ? 0.0 : total_.item<double>() / static_cast<double>(count_);
}

void Metric::reset_state() {
  if (total_.defined()) total_.zero_();
  count_ = 0;
}

void check_metric_names(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (std::find(kMetricNames.begin(), kMetricNames.end(), name) == kMetricNames.end()) {
      throw Error(
          fmt::format("compile: unknown metric \"{}\"; expected one of: {}", name, fmt::join(kMetricNames, ", ")));
    }
  }
}

std::vector<Metric> resolve_metrics(const std::vector<std::string>& names, int64_t target_rank, int64_t output_rank,
                                    int64_t target_last, int64_t output_units) {
  std::vector<Metric> metrics;
  for (const std::string& name : names) {
    Metric::Kind kind = Metric::Kind::kMeanSquaredError;
    if (name == "accuracy" || name == "acc") {
      // Keras's rule: one output unit means binary; integer labels (fewer axes than the
      // outputs, or a last axis of 1 against several units) mean sparse; else categorical.
      const bool is_binary = output_units == 1;
      const bool is_sparse = target_rank < output_rank || (target_last == 1 && output_units > 1);
      kind = is_binary   ? Metric::Kind::kBinaryAccuracy
             : is_sparse ? Metric::Kind::kSparseCategoricalAccuracy
                         : Metric::Kind::kCategoricalAccuracy;
    } else if (name == "binary_accuracy") {
      kind = Metric::Kind::kBinaryAccuracy;
    } else if (name == "categorical_accuracy") {
      kind = Metric::Kind::kCategoricalAccuracy;
    } else if (name == "sparse_categorical_accuracy") {
      kind = Metric::Kind::kSparseCategoricalAccuracy;
    } else if (name == "mae" || name == "mean_absolute_error") {
      kind = Metric::Kind::kMeanAbsoluteError;
    }
    metrics.emplace_back(name, kind);
  }
  return metrics;
}

MetricsTracker::MetricsTracker(std::vector<Metric> metrics, const Shape& output_shape)
    : metrics_(std::move(metrics)), values_per_sample_(1) {
  for (const int64_t size : output_shape) values_per_sample_ *= size;
  rows_per_sample_ = output_shape.empty() || output_shape.back() == 0 ? values_per_sample_
                                                                      : values_per_sample_ / output_shape.back();
}

void MetricsTracker::update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                            const torch::Tensor& logits, std::string_view activation,
                            torch::Tensor (*apply)(const torch::Tensor&)) {
  accumulate(loss, batch_size, y_true, logits, activation, apply);
  count(batch_size);
}

void MetricsTracker::accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                                const torch::Tensor& logits, std::string_view activation,
                                torch::Tensor (*apply)(const torch::Tensor&)) {
  // One op a batch: the float loss times the batch size, added into a float64 sum.
  if (!loss_total_.defined()) loss_total_ = torch::zeros({}, loss.options().dtype(torch::kFloat64));
  loss_total_.add_(loss, static_cast<double>(batch_size));
  const bool keeps_order =
      activation == "softmax" || activation == "linear" || activation == "sigmoid" || activation == "tanh";
  torch::Tensor outputs;
  for (Metric& metric : metrics_) {
    if (metric.uses_argmax() && keeps_order) {
      metric.accumulate(y_true, logits);
    } else {
      if (!outputs.defined()) outputs = apply(logits);
      metric.accumulate(y_true, outputs);
    }
  }
}

void MetricsTracker::count(int64_t batch_size) {
  count_ += batch_size;
  for (Metric& metric : metrics_) {
    metric.count(batch_size * (metric.uses_argmax() ? rows_per_sample_ : values_per_sample_));
  }
}

Logs MetricsTracker::result() const {
  Logs logs;
  logs["loss"] = count_ == 0 || !loss_total_.defined() ? 0.0 : loss_total_.item<double>() / static_cast<double>(count_);
  for (const Metric& metric : metrics_) logs[metric.name()] = metric.result();
  return logs;
}

void MetricsTracker::reset() {
  if (loss_total_.defined()) loss_total_.zero_();
  count_ = 0;
  for (Metric& metric : metrics_) metric.reset_state();
}

}  // namespace tkeras::training
