// Losses with Keras's semantics, computed from logits where the output layer allows it.
#include "tkeras/training/losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"

namespace tkeras::losses {
namespace {

// Keras's backend epsilon, used to clip probabilities before taking logs.
constexpr double kEpsilon = 1e-7;

using Kind = Loss::Kind;

struct Entry {
  std::string_view name;
  Kind kind;
};
constexpr Entry kLosses[] = {{"binary_crossentropy", Kind::kBinaryCrossentropy},
                             {"categorical_crossentropy", Kind::kCategoricalCrossentropy},
                             {"huber", Kind::kHuber},
                             {"mae", Kind::kMeanAbsoluteError},
                             {"mean_absolute_error", Kind::kMeanAbsoluteError},
                             {"mean_squared_error", Kind::kMeanSquaredError},
                             {"mse", Kind::kMeanSquaredError},
                             {"sparse_categorical_crossentropy", Kind::kSparseCategoricalCrossentropy}};

Kind kind_for_name(std::string_view name) {
  for (const Entry& entry : kLosses) {
    if (entry.name == name) return entry.kind;
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
    for (const Entry& entry : kLosses) result.emplace_back(entry.name);
    return result;
  }();
  return all;
}

std::string Loss::name() const {
  switch (kind_) {
    case Kind::kSparseCategoricalCrossentropy:
      return "sparse_categorical_crossentropy";
    case Kind::kCategoricalCrossentropy:
      return "categorical_crossentropy";
    case Kind::kBinaryCrossentropy:
      return "binary_crossentropy";
    case Kind::kMeanAbsoluteError:
      return "mean_absolute_error";
    case Kind::kHuber:
      return "huber";
    case Kind::kMeanSquaredError:
      break;
  }
  return "mean_squared_error";
}

torch::Tensor Loss::operator()(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                               const torch::Tensor& sample_weight) const {
  return from_layer_output(y_true, y_pred, "linear", sample_weight);
}

torch::Tensor Loss::from_layer_output(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                      std::string_view activation, const torch::Tensor& sample_weight) const {
  // Keras's reduction: the mean of the per-sample losses, or their weighted sum over the count.
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
      return torch::where(absolute <= delta_, 0.5 * error.square(), delta_ * absolute - 0.5 * delta_ * delta_)
          .mean(-1);
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

}  // namespace tkeras::losses
