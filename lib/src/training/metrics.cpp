// Metrics accumulated on the device, and Keras's resolution of "accuracy".
#include "training/metrics.h"

#include <algorithm>
#include <array>
#include <map>

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

void Metric::accumulate(const torch::Tensor& y_true, const torch::Tensor& y_pred, const torch::Tensor& sample_weight) {
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
    case Kind::kMeanAbsoluteError: {
      // Keras's squeeze_or_expand_to_same_rank: class labels [N] against outputs [N, C] become
      // [N, 1] and broadcast.
      const torch::Tensor targets = y_true.dim() + 1 == y_pred.dim() ? y_true.unsqueeze(-1) : y_true;
      values = kind_ == Kind::kMeanSquaredError ? (y_pred - targets).square() : (y_pred - targets).abs();
      break;
    }
  }
  // Keras averages over the last axis, then over samples; with equal-length rows that is the
  // mean over all elements. Accuracies count matches exactly, as integers.
  const auto dtype = values.scalar_type() == torch::kBool && !weighted_ ? torch::kLong : torch::kFloat64;
  if (!total_.defined()) total_ = torch::zeros({}, values.options().dtype(dtype));
  if (!weighted_ || !sample_weight.defined()) {
    total_.add_(values.sum(dtype));
    return;
  }
  // Keras's Mean with sample weights: each sample's mean value times its weight, over the sum of
  // the weights.
  if (!weight_total_.defined()) weight_total_ = torch::zeros({}, total_.options());
  torch::Tensor per_sample = values.to(torch::kFloat64);
  if (per_sample.dim() > 1) per_sample = per_sample.flatten(1).mean(1);
  const torch::Tensor weights = sample_weight.to(torch::kFloat64);
  total_.add_((per_sample * weights).sum());
  weight_total_.add_(weights.sum());
}

std::pair<double, double> Metric::sums() const {
  return {total_.defined() ? total_.item<double>() : 0.0,
          static_cast<double>(count_) + (weight_total_.defined() ? weight_total_.item<double>() : 0.0)};
}

namespace {

// Keras's divide_no_nan: 0 when nothing (or only zero weights) was counted.
double divide_no_nan(double total, double count) { return count == 0.0 ? 0.0 : total / count; }

}  // namespace

double Metric::result() const {
  const auto [total, count] = sums();
  return divide_no_nan(total, count);
}

void Metric::reset_state() {
  if (total_.defined()) total_.zero_();
  if (weight_total_.defined()) weight_total_.zero_();
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

namespace {

Metric::Kind resolve_kind(const std::string& name, int64_t target_rank, int64_t output_rank, int64_t target_last,
                          int64_t output_units) {
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
  return kind;
}

// `name`, or `name_1`, `name_2`... when taken, as Keras's CompileMetrics names results.
std::string unique_name(const std::string& name, std::map<std::string, int>& counters) {
  const auto [it, fresh] = counters.try_emplace(name, 1);
  return fresh ? name : fmt::format("{}_{}", name, it->second++);
}

}  // namespace

std::vector<Metric> resolve_metrics(const std::vector<std::string>& names,
                                    const std::vector<std::string>& weighted_names, int64_t target_rank,
                                    int64_t output_rank, int64_t target_last, int64_t output_units) {
  std::vector<Metric> metrics;
  std::map<std::string, int> counters;
  for (const std::string& name : names) {
    metrics.emplace_back(unique_name(name, counters),
                         resolve_kind(name, target_rank, output_rank, target_last, output_units));
  }
  for (const std::string& name : weighted_names) {
    // A weighted metric takes its own name when it is free, else `weighted_<name>` (numbered).
    const std::string shown =
        counters.contains(name) ? unique_name("weighted_" + name, counters) : unique_name(name, counters);
    metrics.emplace_back(shown, resolve_kind(name, target_rank, output_rank, target_last, output_units),
                         /*weighted=*/true);
  }
  return metrics;
}

MetricsTracker::MetricsTracker(std::vector<Metric> metrics, const Shape& output_shape)
    : metrics_(std::move(metrics)), values_per_sample_(1) {
  for (const int64_t size : output_shape) values_per_sample_ *= size;
  rows_per_sample_ =
      output_shape.empty() || output_shape.back() == 0 ? values_per_sample_ : values_per_sample_ / output_shape.back();
}

void MetricsTracker::update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                            const torch::Tensor& logits, std::string_view activation,
                            torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight) {
  accumulate(loss, batch_size, y_true, logits, activation, apply, sample_weight);
  count(batch_size, sample_weight.defined());
}

void MetricsTracker::accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                                const torch::Tensor& logits, std::string_view activation,
                                torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight) {
  // One op a batch: the float loss times the batch size, added into a float64 sum.
  if (!loss_total_.defined()) loss_total_ = torch::zeros({}, loss.options().dtype(torch::kFloat64));
  loss_total_.add_(loss, static_cast<double>(batch_size));
  const bool keeps_order =
      activation == "softmax" || activation == "linear" || activation == "sigmoid" || activation == "tanh";
  torch::Tensor outputs;
  for (Metric& metric : metrics_) {
    if (metric.uses_argmax() && keeps_order) {
      metric.accumulate(y_true, logits, sample_weight);
    } else {
      if (!outputs.defined()) outputs = apply(logits);
      metric.accumulate(y_true, outputs, sample_weight);
    }
  }
}

void MetricsTracker::count(int64_t batch_size, bool weighted) {
  count_ += batch_size;
  for (Metric& metric : metrics_) {
    // A weighted metric counted this batch's weights on the device.
    if (metric.weighted() && weighted) continue;
    metric.count(batch_size * (metric.uses_argmax() ? rows_per_sample_ : values_per_sample_));
  }
}

Logs MetricsTracker::result() const {
  // Every total with what divides it, summed over the processes when data-parallel (sums of
  // float64, and counts exact up to 2^53).
  std::vector<double> sums{loss_total_.defined() ? loss_total_.item<double>() : 0.0, static_cast<double>(count_)};
  for (const Metric& metric : metrics_) {
    const auto [total, count] = metric.sums();
    sums.push_back(total);
    sums.push_back(count);
  }
  if (group_ != nullptr) {
    torch::Tensor reduced = torch::tensor(sums, torch::kFloat64);
    group_->all_reduce_sum(reduced, "all-reduce of the loss and metrics");
    sums.assign(reduced.data_ptr<double>(), reduced.data_ptr<double>() + reduced.numel());
  }
  Logs logs;
  logs["loss"] = divide_no_nan(sums[0], sums[1]);
  for (size_t i = 0; i < metrics_.size(); ++i)
    logs[metrics_[i].name()] = divide_no_nan(sums[2 + 2 * i], sums[3 + 2 * i]);
  return logs;
}

void MetricsTracker::reset() {
  if (loss_total_.defined()) loss_total_.zero_();
  count_ = 0;
  for (Metric& metric : metrics_) metric.reset_state();
}

}  // namespace tkeras::training
