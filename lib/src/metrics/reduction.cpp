// Sum, Mean and MeanMetricWrapper, as Keras's reduce_to_samplewise_values.
#include "tkeras/metrics/reduction.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/class_registry.h"
#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::metrics {
namespace {

std::vector<int64_t> axes_from(int64_t first, int64_t end) {
  std::vector<int64_t> axes(static_cast<size_t>(std::max<int64_t>(end - first, 0)));
  std::iota(axes.begin(), axes.end(), first);
  return axes;
}

// Keras's reduce_to_samplewise_values: one value per sample (the mean, or the sum, over the axes
// after the weights'), times its weight; and the weights, one per sample.
std::pair<torch::Tensor, torch::Tensor> samplewise(torch::Tensor values, torch::Tensor weight, bool mean) {
  values = values.to(torch::kFloat64);
  const auto reduce = [mean](const torch::Tensor& x, int64_t first) {
    return mean ? x.mean(axes_from(first, x.dim())) : x.sum(axes_from(first, x.dim()));
  };
  if (weight.defined()) {
    weight = weight.to(values.device(), torch::kFloat64);
    std::tie(values, weight) = detail::same_rank(values, weight);
    if (values.dim() > weight.dim()) values = reduce(values, weight.dim());
    weight = weight.broadcast_to(values.sizes());
    values = values * weight;
    if (weight.dim() > 1) weight = reduce(weight, 1);
  }
  if (values.dim() > 1) values = reduce(values, 1);
  return {values, weight};
}

void refuse_targets(const Metric& metric) {
  throw Error(
      fmt::format("{}: a {} takes values (update_state(values, sample_weight)), not targets and outputs; to average a "
                  "function of targets and outputs, use MeanMetricWrapper",
                  metric.name(), metric.class_name()));
}

const registry::Registrar sum_registration(registry::plain<Sum>("Sum", "sum"));
const registry::Registrar mean_registration(registry::plain<Mean>("Mean", "mean"));

}  // namespace

Sum::Sum(std::string name) : Metric(std::move(name)), total_(add_variable("total")) {}

void Sum::update_state(const torch::Tensor& values, const torch::Tensor& sample_weight) {
  variable(total_).add_(samplewise(values, sample_weight, /*mean=*/false).first.sum());
}

void Sum::update_state(const torch::Tensor& /*y_true*/, const torch::Tensor& /*y_pred*/,
                       const torch::Tensor& /*sample_weight*/) {
  refuse_targets(*this);
}

torch::Tensor Sum::result() const { return variable(total_).clone(); }

Mean::Mean(std::string name) : Metric(std::move(name)), total_(add_variable("total")), count_(add_variable("count")) {}

void Mean::update_state(const torch::Tensor& values, const torch::Tensor& sample_weight) {
  if (!sample_weight.defined() && values.dim() >= 1) {
    // The common case, in two ops: with equal rows, the sum of per-sample means is the sum of all
    // values over the values per sample.
    const int64_t samples = values.size(0);
    const double per_sample = samples == 0 ? 1.0 : static_cast<double>(values.numel()) / static_cast<double>(samples);
    variable(total_).add_(values.sum(torch::kFloat64), 1.0 / std::max(per_sample, 1.0));
    variable(count_).add_(static_cast<double>(samples));
    return;
  }
  const auto [per_sample, weight] = samplewise(values, sample_weight, /*mean=*/true);
  variable(total_).add_(per_sample.sum());
  if (weight.defined()) {
    variable(count_).add_(weight.sum());
  } else {
    variable(count_).add_(1.0);  // a scalar: one value
  }
}

void Mean::update_state(const torch::Tensor& /*y_true*/, const torch::Tensor& /*y_pred*/,
                        const torch::Tensor& /*sample_weight*/) {
  refuse_targets(*this);
}

torch::Tensor Mean::result() const { return detail::divide_no_nan(variable(total_), variable(count_)); }

MeanMetricWrapper::MeanMetricWrapper(MetricFunction fn, std::string name, std::string function_name)
    : Mean(std::move(name)), fn_(std::move(fn)), function_name_(std::move(function_name)) {
  if (function_name_.empty()) function_name_ = this->name();
  if (!fn_) throw Error(fmt::format("MeanMetricWrapper \"{}\": expected a function, received none", this->name()));
}

void MeanMetricWrapper::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                     const torch::Tensor& sample_weight) {
  Mean::update_state(fn_(y_true, y_pred), sample_weight);
}

namespace detail {

constexpr const char* kWrapperClass = "MeanMetricWrapper";

std::optional<Config> wrapper_object(const Metric& metric) {
  const auto* wrapper = dynamic_cast<const MeanMetricWrapper*>(&metric);
  // A class of tkeras's built on it (Accuracy...) has a class name of its own.
  if (wrapper == nullptr || metric.class_name() != kWrapperClass) return std::nullopt;
  if (wrapper->function_name() == wrapper->name()) return tkeras::detail::function_object(wrapper->name());
  Config config = metric.get_config();
  config["fn"] = tkeras::detail::function_object(wrapper->function_name());
  return tkeras::detail::keras_object("keras.metrics", kWrapperClass, std::move(config));
}

bool is_wrapper_object(const std::string& class_name, const Config& options) {
  return class_name == kWrapperClass && options.is_object() && options.contains("fn");
}

std::shared_ptr<Metric> wrapper_from_keras(const Config& options, const MetricFactories& custom_objects) {
  const Config& fn = options["fn"];
  const Config function_name = fn.is_object() ? fn.value("config", Config()) : fn;
  const MetricFactory* factory = custom(custom_objects, function_name);
  if (factory == nullptr) {
    throw Error(
        fmt::format("the {}'s function {} is not in load_model's custom_objects", kWrapperClass, function_name.dump()));
  }
  const Config name = options.value("name", function_name);
  if (!name.is_string()) {
    throw Error(fmt::format("{}: expected name as a string, received {}", kWrapperClass, name.dump()));
  }
  return factory->wrapping(name.get<std::string>(), function_name.get<std::string>());
}

}  // namespace detail
}  // namespace tkeras::metrics
