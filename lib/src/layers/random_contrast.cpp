// RandomContrast: Keras's per-image contrast factor about each channel's mean.
#include "tkeras/layers/random_contrast.h"

#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"

namespace tkeras::layers {

RandomContrast::RandomContrast(RandomFactor factor, RandomContrastOptions options)
    : RandomAugmentation("random_contrast", options.seed), factor_(factor), options_(options) {
  // Keras keeps both bounds in [0, 1] (its _FACTOR_BOUNDS), and a lower bound given as a number
  // below 0 means no lowering.
  augmentation::check_factor("RandomContrast", "factor", factor_, 0.0, 1.0);
  augmentation::check_value_range("RandomContrast", options_.value_range);
}

RandomContrast::RandomContrast(double factor, RandomContrastOptions options)
    : RandomContrast(RandomFactor(0.0, factor), options) {}

const registry::Registrar<RandomContrast> random_contrast_registration("RandomContrast");

std::shared_ptr<RandomContrast> RandomContrast::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomContrast");
  const Config& factor = read.at("factor");
  RandomContrastOptions options{.value_range = augmentation::value_range_from(config, "RandomContrast"),
                                .seed = augmentation::seed_from(config)};
  return configured(factor.is_number() ? std::make_shared<RandomContrast>(factor.get<double>(), options)
                                       : std::make_shared<RandomContrast>(
                                             augmentation::factor_from(factor, "RandomContrast", "factor"), options),
                    config);
}

Config RandomContrast::get_config() const {
  Config config = RandomAugmentation::get_config();
  config["factor"] = augmentation::factor_config(factor_);
  config["value_range"] = {options_.value_range[0], options_.value_range[1]};
  config["seed"] = augmentation::seed_config(options_.seed);
  return config;
}

torch::Tensor RandomContrast::augment(const torch::Tensor& inputs) {
  const torch::Tensor contrast = draws()
                                     .uniform(inputs.size(0), 1.0 - factor_.lower, 1.0 + factor_.upper)
                                     .to(inputs.device(), inputs.scalar_type())
                                     .view({-1, 1, 1, 1});
  const torch::Tensor mean = inputs.mean({1, 2}, /*keepdim=*/true);
  return ((inputs - mean) * contrast + mean).clamp(options_.value_range[0], options_.value_range[1]);
}

}  // namespace tkeras::layers
