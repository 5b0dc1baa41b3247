// The cross-entropies: Keras's formulas on probabilities, computed from a softmax or sigmoid
// layer's logits where Keras's torch backend would take the log of a rounded probability.
#include "tkeras/losses/crossentropy.h"

#include <limits>

#include <fmt/format.h>
#include <torch/torch.h>

#include "losses/common.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"

namespace tkeras::losses {
namespace {

using detail::kEpsilon;

// Keras's cross-entropy on probabilities along `axis`: renormalise, clip, log.
torch::Tensor log_probabilities(const torch::Tensor& probabilities, int64_t axis) {
  const torch::Tensor normalised = probabilities / probabilities.sum(axis, /*keepdim=*/true);
  return normalised.clamp(kEpsilon, 1.0 - kEpsilon).log();
}

// Keras's binary cross-entropy op, per value.
torch::Tensor binary_values(const torch::Tensor& y, const torch::Tensor& output, bool logits) {
  if (logits) return torch::binary_cross_entropy_with_logits(output, y, {}, {}, at::Reduction::None);
  return torch::binary_cross_entropy(output.clamp(kEpsilon, 1.0 - kEpsilon), y, {}, at::Reduction::None);
}

torch::Tensor smooth_binary(const torch::Tensor& y, double smoothing) {
  return smoothing == 0.0 ? y : y * (1.0 - smoothing) + 0.5 * smoothing;
}

// Keras 3.15 counts the classes on the last axis, whatever the class axis.
torch::Tensor smooth_categorical(const torch::Tensor& y, double smoothing) {
  return smoothing == 0.0 ? y : y * (1.0 - smoothing) + smoothing / static_cast<double>(y.size(-1));
}

bool last_axis(int64_t axis, const torch::Tensor& values) { return axis == -1 || axis == values.dim() - 1; }

// Targets shaped as the outputs, for a loss over class probabilities: integer labels (one axis
// short) get a hint towards the sparse loss.
torch::Tensor class_targets(const LossFunction& loss, const torch::Tensor& y, const Shape& output_shape,
                            std::string_view layer) {
  try {
    return loss.LossFunction::prepare_targets(y, output_shape, layer);
  } catch (const Error& error) {
    if (y.dim() != static_cast<int64_t>(output_shape.size()) || output_shape.empty() || output_shape.back() < 2) throw;
    throw Error(fmt::format("{} (integer labels take sparse_categorical_crossentropy)", error.what()));
  }
}

class BinaryFunction : public LossFunction {
 public:
  explicit BinaryFunction(const BinaryCrossentropyOptions& options) : options_(options) {}
  std::string class_name() const override { return "BinaryCrossentropy"; }
  std::string name() const override { return "binary_crossentropy"; }
  bool from_logits() const override { return options_.from_logits; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return values(y_true, y_pred, options_.from_logits);
  }
  torch::Tensor call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const override {
    // A sigmoid output's logits give the same values without the log of a rounded 0 or 1.
    if (activation == "sigmoid" && !options_.from_logits) return values(y_true, pre_activation, true);
    return LossFunction::call_on_layer(y_true, pre_activation, activation);
  }
  Config get_config() const override {
    return {
        {"from_logits", options_.from_logits}, {"label_smoothing", options_.label_smoothing}, {"axis", options_.axis}};
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    torch::Tensor targets = LossFunction::prepare_targets(y, output_shape, layer);
    if (targets.numel() > 0) {
      const auto low = targets.min().item<double>();
      const auto high = targets.max().item<double>();
      if (low < 0.0 || high > 1.0) {
        throw Error(fmt::format("{}: expected targets in [0, 1] for {}, received values from {} to {}", name(), layer,
                                low, high));
      }
    }
    return targets;
  }

 private:
  torch::Tensor values(const torch::Tensor& y_true, const torch::Tensor& output, bool logits) const {
    const int64_t axis = detail::canonical_axis(options_.axis, output.dim(), name());
    return binary_values(smooth_binary(y_true, options_.label_smoothing), output, logits).mean(axis);
  }
  BinaryCrossentropyOptions options_;
};

class BinaryFocalFunction : public BinaryFunction {
 public:
  explicit BinaryFocalFunction(const BinaryFocalCrossentropyOptions& options)
      : BinaryFunction({.from_logits = options.from_logits}), options_(options) {}
  std::string class_name() const override { return "BinaryFocalCrossentropy"; }
  std::string name() const override { return "binary_focal_crossentropy"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const torch::Tensor y = smooth_binary(y_true, options_.label_smoothing);
    const torch::Tensor p = options_.from_logits ? torch::sigmoid(y_pred) : y_pred;
    const torch::Tensor p_t = y * p + (1.0 - y) * (1.0 - p);
    torch::Tensor focal = (1.0 - p_t).pow(options_.gamma) * binary_values(y, p, false);
    if (options_.apply_class_balancing) focal = (y * options_.alpha + (1.0 - y) * (1.0 - options_.alpha)) * focal;
    return focal.mean(detail::canonical_axis(options_.axis, y_pred.dim(), name()));
  }
  torch::Tensor call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const override {
    return LossFunction::call_on_layer(y_true, pre_activation, activation);  // Keras's, from probabilities
  }
  Config get_config() const override {
    return {{"apply_class_balancing", options_.apply_class_balancing},
            {"alpha", options_.alpha},
            {"gamma", options_.gamma},
            {"from_logits", options_.from_logits},
            {"label_smoothing", options_.label_smoothing},
            {"axis", options_.axis}};
  }

 private:
  BinaryFocalCrossentropyOptions options_;
};

class CategoricalFunction : public LossFunction {
 public:
  explicit CategoricalFunction(const CategoricalCrossentropyOptions& options) : options_(options) {}
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  std::string name() const override { return "categorical_crossentropy"; }
  bool from_logits() const override { return options_.from_logits; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const int64_t axis = detail::canonical_axis(options_.axis, y_pred.dim(), name());
    const torch::Tensor log_probs =
        options_.from_logits ? torch::log_softmax(y_pred, axis) : log_probabilities(y_pred, axis);
    return -(smooth_categorical(y_true, options_.label_smoothing) * log_probs).sum(axis);
  }
  torch::Tensor call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const override {
    // A softmax output's logits: log-softmax, never the log of a rounded 0.
    if (activation == "softmax" && !options_.from_logits && last_axis(options_.axis, pre_activation)) {
      return -(smooth_categorical(y_true, options_.label_smoothing) * torch::log_softmax(pre_activation, -1)).sum(-1);
    }
    return LossFunction::call_on_layer(y_true, pre_activation, activation);
  }
  Config get_config() const override {
    return {
        {"from_logits", options_.from_logits}, {"label_smoothing", options_.label_smoothing}, {"axis", options_.axis}};
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    return class_targets(*this, y, output_shape, layer);
  }

 private:
  CategoricalCrossentropyOptions options_;
};

class CategoricalFocalFunction : public LossFunction {
 public:
  explicit CategoricalFocalFunction(const CategoricalFocalCrossentropyOptions& options) : options_(options) {}
  std::string class_name() const override { return "CategoricalFocalCrossentropy"; }
  std::string name() const override { return "categorical_focal_crossentropy"; }
  bool from_logits() const override { return options_.from_logits; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const int64_t axis = detail::canonical_axis(options_.axis, y_pred.dim(), name());
    const torch::Tensor y = smooth_categorical(y_true, options_.label_smoothing);
    const torch::Tensor p = options_.from_logits ? torch::softmax(y_pred, axis) : y_pred;
    const torch::Tensor output = (p / p.sum(axis, /*keepdim=*/true)).clamp(kEpsilon, 1.0 - kEpsilon);
    return ((1.0 - output).pow(options_.gamma) * options_.alpha * (-y * output.log())).sum(axis);
  }
  Config get_config() const override {
    return {{"alpha", options_.alpha},
            {"gamma", options_.gamma},
            {"from_logits", options_.from_logits},
            {"label_smoothing", options_.label_smoothing},
            {"axis", options_.axis}};
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    return class_targets(*this, y, output_shape, layer);
  }

 private:
  CategoricalFocalCrossentropyOptions options_;
};

class SparseFunction : public LossFunction {
 public:
  explicit SparseFunction(const SparseCategoricalCrossentropyOptions& options) : options_(options) {}
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  std::string name() const override { return "sparse_categorical_crossentropy"; }
  bool from_logits() const override { return options_.from_logits; }
  bool takes_labels() const override { return true; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return values(y_true, y_pred, options_.from_logits);
  }
  torch::Tensor call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const override {
    if (activation == "softmax" && !options_.from_logits && last_axis(options_.axis, pre_activation)) {
      return values(y_true, pre_activation, true);
    }
    return LossFunction::call_on_layer(y_true, pre_activation, activation);
  }
  torch::Tensor mean_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                              std::string_view activation) const override {
    // The mean as one LibTorch op (gather, negate and average, and one backward op for the five
    // of the general path); no label is ignored, so one out of range is an error as there.
    if (options_.ignore_class || pre_activation.dim() != 2 || y_true.dim() != 1 ||
        !(options_.from_logits || activation == "softmax") || !last_axis(options_.axis, pre_activation)) {
      return {};
    }
    const torch::Tensor logits = options_.from_logits ? activations::get(activation)(pre_activation) : pre_activation;
    return torch::nll_loss(torch::log_softmax(logits, -1), y_true, {}, at::Reduction::Mean,
                           std::numeric_limits<int64_t>::min());
  }
  torch::Tensor valid(const torch::Tensor& y_true, const torch::Tensor& /*values*/) const override {
    return options_.ignore_class ? y_true.ne(*options_.ignore_class) : torch::Tensor();
  }
  Config get_config() const override {
    return {{"from_logits", options_.from_logits},
            {"ignore_class", options_.ignore_class ? Config(*options_.ignore_class) : Config(nullptr)},
            {"axis", options_.axis}};
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    return detail::prepare_labels(y, output_shape, layer, name(), options_.ignore_class, options_.axis);
  }

 private:
  // Each position's negative log-likelihood of its label; an ignored label's position is 0.
  torch::Tensor values(const torch::Tensor& labels, const torch::Tensor& output, bool logits) const {
    const int64_t axis = detail::canonical_axis(options_.axis, output.dim(), name());
    const torch::Tensor log_probs = logits ? torch::log_softmax(output, axis) : log_probabilities(output, axis);
    const torch::Tensor kept =
        options_.ignore_class ? labels.masked_fill(labels.eq(*options_.ignore_class), 0) : labels;
    torch::Tensor nll = -log_probs.gather(axis, kept.unsqueeze(axis)).squeeze(axis);
    if (options_.ignore_class) nll = nll.masked_fill(labels.eq(*options_.ignore_class), 0.0);
    return nll;
  }
  SparseCategoricalCrossentropyOptions options_;
};

class GeneralizedFunction : public LossFunction {
 public:
  explicit GeneralizedFunction(double q) : q_(q) {}
  std::string class_name() const override { return "CategoricalGeneralizedCrossEntropy"; }
  std::string name() const override { return "categorical_generalized_cross_entropy"; }
  bool takes_labels() const override { return true; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const torch::Tensor p = y_pred.gather(-1, y_true.unsqueeze(-1)).squeeze(-1);
    return (1.0 - p.pow(q_)) / q_;
  }
  Config get_config() const override { return {{"q", q_}}; }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    return detail::prepare_labels(y, output_shape, layer, name());
  }

 private:
  double q_;
};

void check_focus(std::string_view loss, double gamma, double smoothing) {
  detail::check_range(loss, "gamma", gamma, 0.0, std::numeric_limits<double>::max());
  detail::check_range(loss, "label_smoothing", smoothing, 0.0, 1.0);
}

}  // namespace

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : Loss((detail::check_range("BinaryCrossentropy", "label_smoothing", options.label_smoothing, 0.0, 1.0),
            std::make_shared<BinaryFunction>(options)),
           options.reduction) {}

BinaryFocalCrossentropy::BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions options)
    : Loss((check_focus("BinaryFocalCrossentropy", options.gamma, options.label_smoothing),
            std::make_shared<BinaryFocalFunction>(options)),
           options.reduction) {}

CategoricalCrossentropy::CategoricalCrossentropy(CategoricalCrossentropyOptions options)
    : Loss((detail::check_range("CategoricalCrossentropy", "label_smoothing", options.label_smoothing, 0.0, 1.0),
            std::make_shared<CategoricalFunction>(options)),
           options.reduction) {}

CategoricalFocalCrossentropy::CategoricalFocalCrossentropy(CategoricalFocalCrossentropyOptions options)
    : Loss((check_focus("CategoricalFocalCrossentropy", options.gamma, options.label_smoothing),
            std::make_shared<CategoricalFocalFunction>(options)),
           options.reduction) {}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options)
    : Loss(std::make_shared<SparseFunction>(options), options.reduction) {}

CategoricalGeneralizedCrossEntropy::CategoricalGeneralizedCrossEntropy(
    CategoricalGeneralizedCrossEntropyOptions options)
    : Loss(std::make_shared<GeneralizedFunction>(options.q), options.reduction) {
  if (!(options.q > 0.0 && options.q < 1.0)) {
    throw Error(
        fmt::format("CategoricalGeneralizedCrossEntropy: expected q in the interval (0, 1), received {}", options.q));
  }
}

namespace {

using registry::OptionsReader;

const registry::Registrar binary_registration(detail::loss_class<BinaryCrossentropy>(
    "BinaryCrossentropy", "binary_crossentropy", {"bce", "BCE"}, [](OptionsReader& read) {
      return BinaryCrossentropyOptions{.from_logits = read.boolean("from_logits", false),
                                       .label_smoothing = read.number("label_smoothing", 0.0),
                                       .axis = read.integer("axis", -1)};
    }));

const registry::Registrar binary_focal_registration(detail::loss_class<BinaryFocalCrossentropy>(
    "BinaryFocalCrossentropy", "binary_focal_crossentropy", {}, [](OptionsReader& read) {
      return BinaryFocalCrossentropyOptions{.apply_class_balancing = read.boolean("apply_class_balancing", false),
                                            .alpha = read.number("alpha", 0.25),
                                            .gamma = read.number("gamma", 2.0),
                                            .from_logits = read.boolean("from_logits", false),
                                            .label_smoothing = read.number("label_smoothing", 0.0),
                                            .axis = read.integer("axis", -1)};
    }));

const registry::Registrar categorical_registration(detail::loss_class<CategoricalCrossentropy>(
    "CategoricalCrossentropy", "categorical_crossentropy", {}, [](OptionsReader& read) {
      return CategoricalCrossentropyOptions{.from_logits = read.boolean("from_logits", false),
                                            .label_smoothing = read.number("label_smoothing", 0.0),
                                            .axis = read.integer("axis", -1)};
    }));

const registry::Registrar categorical_focal_registration(detail::loss_class<CategoricalFocalCrossentropy>(
    "CategoricalFocalCrossentropy", "categorical_focal_crossentropy", {}, [](OptionsReader& read) {
      return CategoricalFocalCrossentropyOptions{.alpha = read.number("alpha", 0.25),
                                                 .gamma = read.number("gamma", 2.0),
                                                 .from_logits = read.boolean("from_logits", false),
                                                 .label_smoothing = read.number("label_smoothing", 0.0),
                                                 .axis = read.integer("axis", -1)};
    }));

const registry::Registrar sparse_registration(detail::loss_class<SparseCategoricalCrossentropy>(
    "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", {}, [](OptionsReader& read) {
      return SparseCategoricalCrossentropyOptions{.from_logits = read.boolean("from_logits", false),
                                                  .ignore_class = read.optional_integer("ignore_class"),
                                                  .axis = read.integer("axis", -1)};
    }));

const registry::Registrar generalized_registration(detail::loss_class<CategoricalGeneralizedCrossEntropy>(
    "CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy", {},
    [](OptionsReader& read) { return CategoricalGeneralizedCrossEntropyOptions{.q = read.number("q", 0.5)}; },
    /*keras_name=*/false));

}  // namespace
}  // namespace tkeras::losses
