// The probabilistic metrics: the losses' formulas, averaged per sample (valid positions only for
// the sparse cross-entropy's ignored class).
#include "tkeras/metrics/probabilistic.h"

#include <torch/torch.h>

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/losses/crossentropy.h"
#include "tkeras/losses/probabilistic.h"

namespace tkeras::metrics {
namespace {

using registry::OptionsReader;

const registry::Registrar kl_registration(registry::plain<KLDivergence>("KLDivergence", "kl_divergence"));
const registry::Registrar poisson_registration(registry::plain<Poisson>("Poisson", "poisson"));
const registry::Registrar bce_registration({
    .class_name = "BinaryCrossentropy",
    .name = "binary_crossentropy",
    .aliases = {"bce", "BCE"},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "BinaryCrossentropy");
      const BinaryCrossentropyOptions options{.from_logits = read.boolean("from_logits", false),
                                              .label_smoothing = read.number("label_smoothing", 0.0)};
      read.done();
      return std::make_shared<BinaryCrossentropy>(options);
    },
});
const registry::Registrar cce_registration({
    .class_name = "CategoricalCrossentropy",
    .name = "categorical_crossentropy",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "CategoricalCrossentropy");
      const CategoricalCrossentropyOptions options{.from_logits = read.boolean("from_logits", false),
                                                   .label_smoothing = read.number("label_smoothing", 0.0),
                                                   .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<CategoricalCrossentropy>(options);
    },
});
const registry::Registrar scce_registration({
    .class_name = "SparseCategoricalCrossentropy",
    .name = "sparse_categorical_crossentropy",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "SparseCategoricalCrossentropy");
      const SparseCategoricalCrossentropyOptions options{.from_logits = read.boolean("from_logits", false),
                                                         .ignore_class = read.optional_integer("ignore_class"),
                                                         .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<SparseCategoricalCrossentropy>(options);
    },
});

}  // namespace

KLDivergence::KLDivergence(std::string name)
    : MeanMetricWrapper(detail::loss_formula(losses::KLDivergence()), std::move(name)) {}

Poisson::Poisson(std::string name) : MeanMetricWrapper(detail::loss_formula(losses::Poisson()), std::move(name)) {}

BinaryCrossentropy::BinaryCrossentropy(BinaryCrossentropyOptions options)
    : MeanMetricWrapper(detail::loss_formula(losses::BinaryCrossentropy(
                            {.from_logits = options.from_logits, .label_smoothing = options.label_smoothing})),
                        std::move(options.name)),
      from_logits_(options.from_logits),
      label_smoothing_(options.label_smoothing) {}

Config BinaryCrossentropy::config_options() const {
  return {{"from_logits", from_logits_}, {"label_smoothing", label_smoothing_}};
}

CategoricalCrossentropy::CategoricalCrossentropy(CategoricalCrossentropyOptions options)
    : MeanMetricWrapper(
          detail::loss_formula(losses::CategoricalCrossentropy(
              {.from_logits = options.from_logits, .label_smoothing = options.label_smoothing, .axis = options.axis})),
          std::move(options.name)),
      from_logits_(options.from_logits),
      label_smoothing_(options.label_smoothing),
      axis_(options.axis) {}

Config CategoricalCrossentropy::config_options() const {
  return {{"from_logits", from_logits_}, {"label_smoothing", label_smoothing_}, {"axis", axis_}};
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options)
    : MeanMetricWrapper(
          detail::loss_formula(losses::SparseCategoricalCrossentropy(
              {.from_logits = options.from_logits, .ignore_class = options.ignore_class, .axis = options.axis})),
          std::move(options.name)),
      loss_(losses::SparseCategoricalCrossentropy(
          {.from_logits = options.from_logits, .ignore_class = options.ignore_class, .axis = options.axis})),
      from_logits_(options.from_logits),
      ignore_class_(options.ignore_class),
      axis_(options.axis) {}

void SparseCategoricalCrossentropy::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                                 const torch::Tensor& sample_weight) {
  const torch::Tensor values = loss_.function().call(y_true, y_pred);
  const torch::Tensor valid = loss_.function().valid(y_true, values);
  if (!valid.defined()) {
    Mean::update_state(values, sample_weight);
    return;
  }
  // Keras's apply_mask with reduction "sum": the mask is the weights (times any given).
  torch::Tensor weight = valid.to(torch::kFloat64);
  if (sample_weight.defined()) {
    torch::Tensor given = sample_weight.to(weight.device(), torch::kFloat64);
    while (given.dim() < weight.dim()) given = given.unsqueeze(-1);
    weight = weight * given;
  }
  Mean::update_state(values, weight);
}

Config SparseCategoricalCrossentropy::config_options() const {
  return {{"from_logits", from_logits_},
          {"ignore_class", ignore_class_ ? Config(*ignore_class_) : Config(nullptr)},
          {"axis", axis_}};
}

}  // namespace tkeras::metrics
