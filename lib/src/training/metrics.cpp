// Compile's metrics resolved for an output (Keras's rule for "accuracy"), and the tracker that
// updates them on the device and reads them once per epoch.
#include "training/metrics.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/metrics/accuracy.h"

namespace tkeras::training {
namespace {

// Keras's get_metric compares the name in lower case: "Accuracy" and "ACC" are resolved too.
bool is_accuracy(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "accuracy" || lower == "acc";
}

// Keras's Mean and Sum average or add values, not targets and outputs: compile refuses them (Keras
// would take the targets as values, weighted by the outputs).
void check_takes_targets(const metrics::Metric& metric) {
  const std::string class_name = metric.class_name();
  if (class_name == "Mean" || class_name == "Sum") {
    throw Error(fmt::format(
        "compile: the metric \"{}\" is a {}, which takes values rather than targets and outputs; use it in a "
        "loop of your own, or wrap a function of targets and outputs in MeanMetricWrapper",
        metric.name(), class_name));
  }
}

// Keras's get_metric: "accuracy" by the targets and outputs, other names by keras.metrics.get,
// each named as compile named it; an object as it is.
std::shared_ptr<metrics::Metric> make_metric(const metrics::Identifier& identifier, int64_t target_rank,
                                             int64_t output_rank, int64_t target_last, int64_t output_units) {
  if (!identifier.is_name()) return identifier.metric();
  const std::string& name = identifier.name();
  if (!is_accuracy(name)) return metrics::get(name);
  // Keras's rule: one output unit means binary; integer labels (fewer axes than the outputs, or a
  // last axis of 1 against several units) mean sparse; else categorical.
  const bool is_binary = output_units == 1;
  const bool is_sparse = target_rank < output_rank || (target_last == 1 && output_units > 1);
  if (is_binary) return std::make_shared<metrics::BinaryAccuracy>(metrics::BinaryAccuracyOptions{.name = name});
  if (is_sparse) return std::make_shared<metrics::SparseCategoricalAccuracy>(name);
  return std::make_shared<metrics::CategoricalAccuracy>(name);
}

// `name`, or `name_1`, `name_2`... when taken, as Keras's CompileMetrics names results.
std::string unique_name(const std::string& name, std::map<std::string, int>& counters) {
  const auto [it, fresh] = counters.try_emplace(name, 1);
  return fresh ? name : fmt::format("{}_{}", name, it->second++);
}

// Keras's divide_no_nan: 0 when nothing (or only zero weights) was counted.
double divide_no_nan(double total, double count) { return count == 0.0 ? 0.0 : total / count; }

}  // namespace

void check_metric_names(const std::vector<metrics::Identifier>& identifiers) {
  for (const metrics::Identifier& identifier : identifiers) {
    if (!identifier.is_name()) {
      check_takes_targets(*identifier.metric());
    } else if (!is_accuracy(identifier.name())) {
      check_takes_targets(*metrics::get(identifier.name()));
    }
  }
}

std::vector<TrackedMetric> resolve_metrics(const std::vector<metrics::Identifier>& identifiers,
                                           const std::vector<metrics::Identifier>& weighted, int64_t target_rank,
                                           int64_t output_rank, int64_t target_last, int64_t output_units) {
  std::vector<TrackedMetric> tracked;
  std::map<std::string, int> counters;
  for (const metrics::Identifier& identifier : identifiers) {
    std::shared_ptr<metrics::Metric> metric =
        make_metric(identifier, target_rank, output_rank, target_last, output_units);
    tracked.push_back({metric, unique_name(metric->name(), counters), /*weighted=*/false});
  }
  for (const metrics::Identifier& identifier : weighted) {
    std::shared_ptr<metrics::Metric> metric =
        make_metric(identifier, target_rank, output_rank, target_last, output_units);
    // A weighted metric takes its own name when it is free, else `weighted_<name>` (numbered).
    const std::string& name = metric->name();
    const std::string shown =
        counters.contains(name) ? unique_name("weighted_" + name, counters) : unique_name(name, counters);
    tracked.push_back({metric, shown, /*weighted=*/true});
  }
  return tracked;
}

MetricsTracker::MetricsTracker(std::vector<TrackedMetric> metrics) : metrics_(std::move(metrics)) {
  for (const TrackedMetric& tracked : metrics_) tracked.metric->reset_state();
}

void MetricsTracker::update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                            const torch::Tensor& logits, std::string_view activation,
                            torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight) {
  accumulate(loss, batch_size, y_true, logits, activation, apply, sample_weight);
  count(batch_size);
}

void MetricsTracker::accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                                const torch::Tensor& logits, std::string_view activation,
                                torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight) {
  // One op a batch: the float loss times the batch size, added into a float64 sum.
  if (!loss_total_.defined()) loss_total_ = torch::zeros({}, loss.options().dtype(torch::kFloat64));
  loss_total_.add_(loss, static_cast<double>(batch_size));
  if (metrics_.empty()) return;
  if (!placed_) {
    for (const TrackedMetric& tracked : metrics_) tracked.metric->to(logits.device());
    placed_ = true;
  }
  const bool keeps_order =
      activation == "softmax" || activation == "linear" || activation == "sigmoid" || activation == "tanh";
  torch::Tensor outputs;
  for (const TrackedMetric& tracked : metrics_) {
    const torch::Tensor& weight = tracked.weighted ? sample_weight : torch::Tensor();
    if (tracked.metric->argmax_only() && keeps_order) {
      tracked.metric->update_state(y_true, logits, weight);
    } else {
      if (!outputs.defined()) outputs = apply == nullptr ? logits : apply(logits);
      tracked.metric->update_state(y_true, outputs, weight);
    }
  }
}

void MetricsTracker::count(int64_t batch_size) { count_ += batch_size; }

Logs MetricsTracker::result() const {
  std::vector<torch::Tensor> results;
  double loss_total = loss_total_.defined() ? loss_total_.item<double>() : 0.0;
  auto count = static_cast<double>(count_);
  if (group_ == nullptr) {
    for (const TrackedMetric& tracked : metrics_) results.push_back(tracked.metric->result());
  } else {
    // The loss's total and count, then every metric variable, summed over the processes in one
    // all-reduce (float64: counts exact up to 2^53).
    std::vector<torch::Tensor> pieces{torch::tensor({loss_total, count}, torch::kFloat64)};
    std::vector<double> sizes;
    for (const TrackedMetric& tracked : metrics_) {
      double size = 0;
      for (const torch::Tensor& value : tracked.metric->variables()) {
        pieces.push_back(value.to(torch::kCPU).flatten());
        size += static_cast<double>(value.numel());
      }
      sizes.push_back(size);
    }
    // A metric that makes its variables at its first batch (F1Score, R2Score, a multi-label AUC)
    // has none on a process that had no batch: every process checks that all agree, so that they
    // fail alike rather than all-reduce buffers of different lengths.
    if (!sizes.empty()) {
      torch::Tensor agreed = torch::tensor(sizes, torch::kFloat64);
      group_->all_reduce_sum(agreed, "all-reduce of the metrics' sizes");
      const double processes = static_cast<double>(group_->size());
      for (size_t i = 0; i < sizes.size(); ++i) {
        if (agreed[static_cast<int64_t>(i)].item<double>() != sizes[i] * processes) {
          throw Error(fmt::format(
              "the metric \"{}\" made its variables at its first batch, which some process did not have; give "
              "every process at least one batch (more samples than processes)",
              metrics_[i].name));
        }
      }
    }
    torch::Tensor reduced = torch::cat(pieces);
    group_->all_reduce_sum(reduced, "all-reduce of the loss and metrics");
    loss_total = reduced[0].item<double>();
    count = reduced[1].item<double>();
    int64_t offset = 2;
    for (const TrackedMetric& tracked : metrics_) {
      std::vector<torch::Tensor> values;
      for (const torch::Tensor& value : tracked.metric->variables()) {
        values.push_back(reduced.narrow(0, offset, value.numel()).view(value.sizes()).to(value.device()));
        offset += value.numel();
      }
      results.push_back(tracked.metric->result_of(values));
    }
  }
  Logs logs;
  logs["loss"] = divide_no_nan(loss_total, count);
  for (size_t i = 0; i < metrics_.size(); ++i) {
    const torch::Tensor values = results[i].to(torch::kCPU, torch::kFloat64).flatten();
    if (results[i].dim() == 0) {
      logs[metrics_[i].name] = values[0].item<double>();
      continue;
    }
    // A metric of several values (one per class) logs each: Keras's logs hold the array.
    for (int64_t j = 0; j < values.numel(); ++j) {
      logs[fmt::format("{}[{}]", metrics_[i].name, j)] = values[j].item<double>();
    }
  }
  return logs;
}

void MetricsTracker::reset() {
  if (loss_total_.defined()) loss_total_.zero_();
  count_ = 0;
  for (const TrackedMetric& tracked : metrics_) tracked.metric->reset_state();
}

}  // namespace tkeras::training
