// FBetaScore and F1Score: Keras's weighted counts of true positives, false positives, false
// negatives and true labels, per class (or in all, for "micro"); sums, so that they add across
// processes.
#include "tkeras/metrics/f_score.h"

#include <cmath>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::metrics {
namespace {

// Keras's backend epsilon, which keeps the ratios of empty counts at 0.
constexpr double kFScoreEpsilon = 1e-7;

FBetaScoreOptions checked_f_score_options(FBetaScoreOptions options, std::string_view class_name) {
  if (options.average && *options.average != "micro" && *options.average != "macro" && *options.average != "weighted") {
    throw Error(fmt::format("{}: expected average none, \"micro\", \"macro\" or \"weighted\", received \"{}\"",
                            class_name, *options.average));
  }
  if (!std::isfinite(options.beta) || options.beta <= 0.0) {
    throw Error(fmt::format("{}: expected beta above 0, received {}", class_name, options.beta));
  }
  if (options.threshold && !(*options.threshold > 0.0 && *options.threshold <= 1.0)) {
    throw Error(fmt::format("{}: expected a threshold in (0, 1] or none, received {}", class_name, *options.threshold));
  }
  return options;
}

Config f_score_optional(const std::optional<std::string>& value) { return value ? Config(*value) : Config(nullptr); }

Config f_score_optional(const std::optional<double>& value) { return value ? Config(*value) : Config(nullptr); }

}  // namespace

FBetaScore::FBetaScore(FBetaScoreOptions options) : FBetaScore(std::move(options), "FBetaScore") {}

FBetaScore::FBetaScore(FBetaScoreOptions options, std::string_view class_name)
    : Metric(options.name), options_(checked_f_score_options(std::move(options), class_name)) {}

void FBetaScore::build(int64_t classes, torch::Device device) {
  const Shape shape = options_.average == "micro" ? Shape{} : Shape{classes};
  true_positives_ = add_variable("true_positives", shape, device);
  false_positives_ = add_variable("false_positives", shape, device);
  false_negatives_ = add_variable("false_negatives", shape, device);
  intermediate_weights_ = add_variable("intermediate_weights", shape, device);
  classes_ = classes;
}

void FBetaScore::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                              const torch::Tensor& sample_weight) {
  if (y_pred.dim() != 2 || y_pred.size(1) < 1 || !y_true.sizes().equals(y_pred.sizes())) {
    throw Error(fmt::format(
        "{} \"{}\": expected targets and outputs of one shape [batch_size, classes], received y_true of shape {} "
        "and y_pred of shape {}",
        class_name(), name(), format_shape(y_true.sizes().vec()), format_shape(y_pred.sizes().vec())));
  }
  if (classes_ == 0) {
    build(y_pred.size(1), y_pred.device());
  } else if (y_pred.size(1) != classes_) {
    throw Error(
        fmt::format("{} \"{}\": expected outputs of {} classes, as in the first batch, received y_pred of "
                    "shape {}",
                    class_name(), name(), classes_, format_shape(y_pred.sizes().vec())));
  }
  if (sample_weight.defined() && sample_weight.numel() != y_pred.size(0)) {
    throw Error(fmt::format("{} \"{}\": expected one sample weight per row, shape [{}], received shape {}",
                            class_name(), name(), y_pred.size(0), format_shape(sample_weight.sizes().vec())));
  }
  // Keras compares in its dtype, float32, so that a threshold cuts the outputs where Keras does.
  const torch::Tensor outputs = y_pred.to(torch::kFloat32);
  torch::Tensor predicted;
  if (options_.threshold) {
    predicted = outputs.gt(*options_.threshold);
  } else {
    // Each row's largest output, unless it is 0: a row of zeros predicts nothing.
    predicted = outputs.ge(std::get<0>(outputs.max(-1, /*keepdim=*/true))).logical_and(outputs.abs().gt(1e-9));
  }
  const torch::Device device = variable(true_positives_).device();
  const torch::Tensor p = predicted.to(device, torch::kFloat64);
  const torch::Tensor t = y_true.to(device, torch::kFloat64);
  const torch::Tensor w =
      sample_weight.defined() ? sample_weight.to(device, torch::kFloat64).reshape({-1, 1}) : torch::Tensor();
  const bool micro = options_.average == "micro";
  const auto sum = [&](const torch::Tensor& values) {
    const torch::Tensor weighted = w.defined() ? values * w : values;
    return micro ? weighted.sum() : weighted.sum(0);
  };
  variable(true_positives_).add_(sum(p * t));
  variable(false_positives_).add_(sum(p * (1.0 - t)));
  variable(false_negatives_).add_(sum((1.0 - p) * t));
  variable(intermediate_weights_).add_(sum(t));
}

torch::Tensor FBetaScore::result() const {
  const auto float64 = torch::TensorOptions().dtype(torch::kFloat64);
  if (classes_ == 0) return options_.average ? torch::zeros({}, float64) : torch::zeros({0}, float64);
  const torch::Tensor& true_positives = variable(true_positives_);
  const torch::Tensor precision = true_positives / (true_positives + variable(false_positives_) + kFScoreEpsilon);
  const torch::Tensor recall = true_positives / (true_positives + variable(false_negatives_) + kFScoreEpsilon);
  const double beta2 = options_.beta * options_.beta;
  torch::Tensor score = precision * recall / (beta2 * precision + recall + kFScoreEpsilon) * (1.0 + beta2);
  if (options_.average == "weighted") {
    const torch::Tensor& support = variable(intermediate_weights_);
    return (score * (support / (support.sum() + kFScoreEpsilon))).sum();
  }
  if (options_.average) return score.mean();  // micro (a scalar already) and macro
  return score;
}

Config FBetaScore::config_options() const {
  return {{"average", f_score_optional(options_.average)},
          {"beta", options_.beta},
          {"threshold", f_score_optional(options_.threshold)}};
}

F1Score::F1Score(F1ScoreOptions options)
    : FBetaScore({.average = std::move(options.average),
                  .beta = 1.0,
                  .threshold = options.threshold,
                  .name = std::move(options.name)},
                 "F1Score") {}

Config F1Score::config_options() const {
  Config config = FBetaScore::config_options();
  config.erase("beta");
  return config;
}

namespace {

// Keras's average: a string, or null (absent) for none.
std::optional<std::string> read_f_score_average(registry::OptionsReader& read, const Config& config) {
  std::string average = read.string("average", "");
  if (!config.contains("average") || config.at("average").is_null()) return std::nullopt;
  return average;
}

const registry::Registrar f_beta_score_registration(registry::MetricClass{
    .class_name = "FBetaScore",
    .name = "f_beta_score",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      registry::OptionsReader read(config, "FBetaScore");
      FBetaScoreOptions options{.average = read_f_score_average(read, config),
                                .beta = read.number("beta", 1.0),
                                .threshold = read.optional_number("threshold")};
      read.done();
      return std::make_shared<FBetaScore>(std::move(options));
    }});

const registry::Registrar f1_score_registration(registry::MetricClass{
    .class_name = "F1Score",
    .name = "f1_score",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      registry::OptionsReader read(config, "F1Score");
      F1ScoreOptions options{.average = read_f_score_average(read, config),
                             .threshold = read.optional_number("threshold")};
      read.done();
      return std::make_shared<F1Score>(std::move(options));
    }});

}  // namespace
}  // namespace tkeras::metrics
