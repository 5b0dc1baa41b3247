// What the metric families share: Keras's divide_no_nan and squeeze_or_expand_to_same_rank, mean
// metrics made of a loss's formula, and the serialized form of a metric function of one's own (internal).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/metric.h"
#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics::detail {

/// Keras's divide_no_nan: `numerator / divisor`, 0 where the divisor is 0.
torch::Tensor divide_no_nan(const torch::Tensor& numerator, const torch::Tensor& divisor);

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer ends in an
/// axis of 1, that axis is dropped (or, against a rank-1 tensor, the other gains one).
std::pair<torch::Tensor, torch::Tensor> same_rank(torch::Tensor x1, torch::Tensor x2);

/// The metric function of `loss`'s formula (its per-sample values, before any reduction), as
/// Keras's mean metrics wrap the loss functions: targets become floats of the outputs' rank first.
MetricFunction loss_formula(const losses::Loss& loss);

/// The factory `custom_objects` holds under `key`, or null (defined in metric.cpp).
const MetricFactory* custom(const MetricFactories& custom_objects, const Config& key);

// ---- Defined in reduction.cpp, beside MeanMetricWrapper. ----

/// Keras's serialized form of a `MeanMetricWrapper` of a function of one's own: the function's own
/// form (as Keras's compile keeps `metrics=[my_metric]`), or, renamed, Keras's `MeanMetricWrapper`
/// with its `fn` (as Keras keeps `MeanMetricWrapper(my_metric, name=...)`); none for other metrics.
std::optional<Config> wrapper_object(const Metric& metric);
/// Whether Keras's serialized metric of `class_name` and `options` is a `MeanMetricWrapper` of a
/// function (what `wrapper_object` writes when renamed).
bool is_wrapper_object(const std::string& class_name, const Config& options);
/// That metric, made by the function's factory in `custom_objects`. Throws `tkeras::Error` when
/// `custom_objects` has none, or for a name that is not a string.
std::shared_ptr<Metric> wrapper_from_keras(const Config& options, const MetricFactories& custom_objects);

}  // namespace tkeras::metrics::detail
