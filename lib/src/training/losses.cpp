// Losses with Keras's semantics, computed from logits where the output layer allows it.
#include "tkeras/training/losses.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"
#include "training/loss_serialization.h"

namespace tkeras::losses {
namespace {

// Keras's backend epsilon, used to clip probabilities before taking logs.
constexpr double kEpsilon = 1e-7;

using Kind = Loss::Kind;

// Each loss class: its kind, Keras's class name, the name compile takes and name() returns, and
// whether it has the from_logits option.
struct LossClass {
  Kind kind;
  std::string_view class_name;
  std::string_view name;
  bool has_from_logits;
};
constexpr LossClass kClasses[] = {
    {Kind::kSparseCategoricalCrossentropy, "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", true},
    {Kind::kCategoricalCrossentropy, "CategoricalCrossentropy", "categorical_crossentropy", true},
    {Kind::kBinaryCrossentropy, "BinaryCrossentropy", "binary_crossentropy", true},
    {Kind::kMeanSquaredError, "MeanSquaredError", "mean_squared_error", false},
    {Kind::kMeanAbsoluteError, "MeanAbsoluteError", "mean_absolute_error", false},
    {Kind::kHuber, "Huber", "huber", false}};
// Keras's short names.
constexpr std::pair<std::string_view, Kind> kAliases[] = {{"mae", Kind::kMeanAbsoluteError},
                                                          {"mse", Kind::kMeanSquaredError}};

const LossClass& loss_class(Kind kind) {
  for (const LossClass& loss : kClasses) {
    if (loss.kind == kind) return loss;
  }
  throw Error("unknown kind of loss");
}

Kind kind_for_name(std::string_view name) {
  for (const LossClass& loss : kClasses) {
    if (loss.name == name) return loss.kind;
  }
  for (const auto& [alias, kind] : kAliases) {
    if (alias == name) return kind;
  }
  throw Error(fmt::format("compile: unknown loss \"{}\"; expected one of: {}", name, fmt::join(Loss::names(), ", ")));
}

std::string shape_of(const torch::Tensor& tensor) { return format_shape(tensor.sizes().vec()); }

// Keras's categorical cross-entropy on probabilities: renormalise, clip, log.
torch::Tensor log_probabilities(const torch::Tensor& probabilities) {
  torch::Tensor normalised = probabilities / probabilities.sum(-1, /*keepdim=*/true);
  return normalised.clamp(kEpsilon, 1.0 - kEpsilon).log();
}

// Each sample's (and position's) negative log-likelihood of its label.
torch::Tensor sparse_nll(const torch::Tensor& log_probs, const torch::Tensor& labels) {
  return -log_probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1);
}

// Keras's reduction with sample weights: the sum of each sample's weighted loss over the number
// of loss values. A sample with more than one loss value (outputs with a time axis) has its
// weight applied to each of them.
torch::Tensor weighted_mean(const torch::Tensor& values, const torch::Tensor& sample_weight) {
  std::vector<int64_t> shape(static_cast<size_t>(std::max<int64_t>(values.dim(), 1)), 1);
  shape[0] = sample_weight.size(0);
  return (values * sample_weight.view(shape)).sum() / static_cast<double>(std::max<int64_t>(values.numel(), 1));
}

}  // namespace

Loss::Loss(const char* name) : Loss(std::string_view(name)) {}
Loss::Loss(const std::string& name) : Loss(std::string_view(name)) {}
Loss::Loss(std::string_view name) : kind_(kind_for_name(name)) {}
Loss::Loss(Kind kind, bool from_logits, double delta) : kind_(kind), from_logits_(from_logits), delta_(delta) {}

const std::vector<std::string>& Loss::names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> result;
    for (const LossClass& loss : kClasses) result.emplace_back(loss.name);
    for (const auto& [alias, kind] : kAliases) result.emplace_back(alias);
    std::sort(result.begin(), result.end());
    return result;
  }();
  return all;
}

std::string Loss::name() const { return std::string(loss_class(kind_).name); }
std::string Loss::class_name() const { return std::string(loss_class(kind_).class_name); }

Config Loss::get_config() const {
  Config config = {{"name", name()}, {"from_logits", from_logits_}};
  if (kind_ == Kind::kHuber) config["delta"] = delta_;
  return config;
}

Loss Loss::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& name = read.at("name");
  if (!name.is_string()) throw Error(fmt::format("expected \"name\" as a string, received {}", name.dump()));
  const Loss named(name.get<std::string>());
  if (named.kind_ == Kind::kHuber) return Huber({.delta = read.number("delta", 1.0)});
  if (!loss_class(named.kind_).has_from_logits) return named;
  return Loss(named.kind_, read.boolean("from_logits", false));
}

torch::Tensor Loss::operator()(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                               const torch::Tensor& sample_weight) const {
  return from_layer_output(y_true, y_pred, "linear", sample_weight);
}

torch::Tensor Loss::from_layer_output(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                      std::string_view activation, const torch::Tensor& sample_weight) const {
  // Keras's reduction: the mean of the per-sample losses, or their weighted sum over the count.
  if (kind_ == Kind::kSparseCategoricalCrossentropy && !sample_weight.defined() && pre_activation.dim() == 2 &&
      y_true.dim() == 1 && (from_logits_ || activation == "softmax")) {
    // The same mean as one LibTorch op (gather, negate and average, and one backward op for
    // the five of the general path); no label is ignored, so one out of range is an error as there.
    const torch::Tensor logits = from_logits_ ? activations::get(activation)(pre_activation) : pre_activation;
    return torch::nll_loss(torch::log_softmax(logits, -1), y_true, {}, at::Reduction::Mean,
                           std::numeric_limits<int64_t>::min());
  }
  const torch::Tensor values = sample_losses(y_true, pre_activation, activation);
  return sample_weight.defined() ? weighted_mean(values, sample_weight) : values.mean();
}

torch::Tensor Loss::sample_losses(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                  std::string_view activation) const {
  // With from_logits the model's outputs are the logits, whatever the last activation was.
  // Without it, an output layer ending in softmax (sigmoid) hands us its logits, so the loss
  // is log-softmax based (or the fused sigmoid form) and never takes the log of a rounded 0.
  const bool softmax_logits = activation == "softmax" && !from_logits_;
  const bool sigmoid_logits = activation == "sigmoid" && !from_logits_;
  auto outputs = [&] { return activations::get(activation)(pre_activation); };
  switch (kind_) {
    case Kind::kSparseCategoricalCrossentropy: {
      if (from_logits_ || softmax_logits) {
        return sparse_nll(torch::log_softmax(softmax_logits ? pre_activation : outputs(), -1), y_true);
      }
      return sparse_nll(log_probabilities(outputs()), y_true);
    }
    case Kind::kCategoricalCrossentropy: {
      const torch::Tensor log_probs = from_logits_ || softmax_logits
                                          ? torch::log_softmax(softmax_logits ? pre_activation : outputs(), -1)
                                          : log_probabilities(outputs());
      return -(y_true * log_probs).sum(-1);
    }
    case Kind::kBinaryCrossentropy: {
      if (from_logits_ || sigmoid_logits) {
        return torch::binary_cross_entropy_with_logits(sigmoid_logits ? pre_activation : outputs(), y_true, {}, {},
                                                       at::Reduction::None)
            .mean(-1);
      }
      const torch::Tensor p = outputs().clamp(kEpsilon, 1.0 - kEpsilon);
      return -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log()).mean(-1);
    }
    case Kind::kMeanAbsoluteError:
      return (outputs() - y_true).abs().mean(-1);
    case Kind::kHuber: {
      const torch::Tensor error = outputs() - y_true;
      const torch::Tensor absolute = error.abs();
      return torch::where(absolute <= delta_, 0.5 * error.square(), delta_ * absolute - 0.5 * delta_ * delta_).mean(-1);
    }
    case Kind::kMeanSquaredError:
      break;
  }
  return (outputs() - y_true).square().mean(-1);
}

torch::Tensor Loss::prepare_targets(const torch::Tensor& y, const Shape& output_shape, std::string_view layer) const {
  const std::string loss_name = name();
  Shape expected = {y.dim() > 0 ? y.size(0) : 0};
  expected.insert(expected.end(), output_shape.begin(), output_shape.end());

  if (kind_ == Kind::kSparseCategoricalCrossentropy) {
    const int64_t units = output_shape.empty() ? 1 : output_shape.back();
    expected.pop_back();
    torch::Tensor labels = y;
    if (labels.dim() == static_cast<int64_t>(expected.size()) + 1 && labels.size(-1) == 1) labels = labels.squeeze(-1);
    if (labels.sizes().vec() != expected) {
      throw Error(fmt::format("{}: expected integer class labels of shape {} for outputs {}, received y of shape {}{}",
                              loss_name, format_shape(expected), format_batch_shape(output_shape), shape_of(y),
                              y.dim() == static_cast<int64_t>(expected.size()) + 1
                                  ? " (one-hot targets take categorical_crossentropy)"
                                  : ""));
    }
    if (labels.numel() == 0) return labels.to(torch::kInt64);
    if (labels.is_floating_point() && !labels.eq(labels.floor()).all().item<bool>()) {
      throw Error(fmt::format("{}: expected integer class labels, received non-integer values in y", loss_name));
    }
    const auto low = labels.min().item<double>();
    const auto high = labels.max().item<double>();
    if (low < 0 || high > static_cast<double>(units - 1)) {
      throw Error(fmt::format("{} has {} units, so {} expects labels in 0..{}; received labels from {} to {}", layer,
                              units, loss_name, units - 1, low, high));
    }
    return labels.to(torch::kInt64);
  }

  torch::Tensor targets = y;
  // A [N] target against one output unit is [N, 1], as Keras broadcasts it.
  if (targets.dim() == 1 && output_shape == Shape{1}) targets = targets.unsqueeze(1);
  if (targets.sizes().vec() != expected) {
    throw Error(
        fmt::format("{}: expected targets of shape {} matching outputs {}, received y of shape {}{}", loss_name,
                    format_shape(expected), format_batch_shape(output_shape), shape_of(y),
                    kind_ == Kind::kCategoricalCrossentropy && y.dim() + 1 == static_cast<int64_t>(expected.size())
                        ? " (integer labels take sparse_categorical_crossentropy)"
                        : ""));
  }
  targets = targets.to(torch::kFloat32);
  if (kind_ == Kind::kBinaryCrossentropy && targets.numel() > 0) {
    const auto low = targets.min().item<double>();
    const auto high = targets.max().item<double>();
    if (low < 0.0 || high > 1.0) {
      throw Error(fmt::format("{}: expected targets in [0, 1] for {}, received values from {} to {}", loss_name, layer,
                              low, high));
    }
  }
  return targets;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(CrossentropyOptions options)
    : Loss(Kind::kSparseCategoricalCrossentropy, options.from_logits) {}
CategoricalCrossentropy::CategoricalCrossentropy(CrossentropyOptions options)
    : Loss(Kind::kCategoricalCrossentropy, options.from_logits) {}
BinaryCrossentropy::BinaryCrossentropy(CrossentropyOptions options)
    : Loss(Kind::kBinaryCrossentropy, options.from_logits) {}
MeanSquaredError::MeanSquaredError() : Loss(Kind::kMeanSquaredError, false) {}
MeanAbsoluteError::MeanAbsoluteError() : Loss(Kind::kMeanAbsoluteError, false) {}

Huber::Huber(HuberOptions options) : Loss(Kind::kHuber, false, options.delta) {
  if (!(options.delta > 0.0) || !std::isfinite(options.delta)) {
    throw Error(fmt::format("Huber: expected a positive delta, received {}", options.delta));
  }
}

namespace detail {

void check(const Config& entry) {
  if (entry.is_null()) return;
  if (!entry.is_object()) throw Error(fmt::format("expected \"loss\" as an object or null, received {}", entry.dump()));
  const auto require = [&](const char* key, bool (Config::*is_type)() const noexcept, const char* type) {
    const auto found = entry.find(key);
    if (found == entry.end()) throw Error(fmt::format("expected \"{}\", found none", key));
    if (!((*found).*is_type)())
      throw Error(fmt::format("expected \"{}\" as {}, received {}", key, type, found->dump()));
  };
  require("name", &Config::is_string, "a string");
  require("from_logits", &Config::is_boolean, "true or false");
  if (entry.contains("delta") && (!entry["delta"].is_number() || !(entry["delta"].get<double>() > 0.0))) {
    throw Error(fmt::format("expected \"loss\".\"delta\" as a positive number, received {}", entry["delta"].dump()));
  }
}

Config to_keras(const Config& entry) {
  if (!entry.is_object()) return entry;
  const bool from_logits = entry.value("from_logits", false);
  const double delta = entry.value("delta", 1.0);
  if (!from_logits && delta == 1.0) return entry["name"];
  const Loss loss = Loss::from_config(entry);
  Config config = Config::object();
  if (from_logits) config["from_logits"] = true;
  if (loss.kind() == Kind::kHuber) config["delta"] = delta;
  return {
      {"module", "keras.losses"}, {"class_name", loss.class_name()}, {"config", config}, {"registered_name", nullptr}};
}

Config from_keras(const Config& keras) {
  if (keras.is_null()) return nullptr;
  if (keras.is_string()) return {{"name", keras}, {"from_logits", false}};
  if (!keras.is_object() || !keras.contains("class_name") || !keras["class_name"].is_string() ||
      !keras.contains("config") || !keras["config"].is_object()) {
    throw Error(fmt::format("expected \"loss\" as a name or a loss object, received {}", keras.dump().substr(0, 120)));
  }
  const std::string kind = keras["class_name"].get<std::string>();
  const auto found = std::find_if(std::begin(kClasses), std::end(kClasses),
                                  [&](const LossClass& loss) { return loss.class_name == kind; });
  if (found == std::end(kClasses)) throw Error(fmt::format("loss class \"{}\" is not supported by tkeras", kind));
  Config entry = {{"name", found->name}, {"from_logits", false}};
  for (const auto& [key, value] : keras["config"].items()) {
    if (key == "name" || key == "dtype") continue;
    if (key == "from_logits" && value.is_boolean()) {
      entry["from_logits"] = value;
    } else if (key == "delta" && found->kind == Kind::kHuber) {
      entry["delta"] = value;
    } else if (!(key == "reduction" && (value.is_null() || value == "sum_over_batch_size")) &&
               !(key == "label_smoothing" && value.is_number() && value.get<double>() == 0.0) &&
               !(key == "axis" && value == -1) && !(key == "ignore_class" && value.is_null())) {
      throw Error(fmt::format("the loss's option {}={} is not supported by tkeras", key, value.dump().substr(0, 120)));
    }
  }
  return entry;
}

}  // namespace detail
}  // namespace tkeras::losses
