// RandomBrightness: a per-image offset, as a fraction of the value range, then clipping.
#include "tkeras/layers/random_brightness.h"

#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"

namespace tkeras::layers {

RandomBrightness::RandomBrightness(RandomFactor factor, RandomBrightnessOptions options)
    : RandomAugmentation("random_brightness", options.seed), factor_(factor), options_(options) {
  augmentation::check_factor("RandomBrightness", "factor", factor_, -1.0, 1.0);
  augmentation::check_value_range("RandomBrightness", options_.value_range);
}

const registry::Registrar<RandomBrightness> random_brightness_registration("RandomBrightness");

std::shared_ptr<RandomBrightness> RandomBrightness::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomBrightness");
  return configured(
      std::make_shared<RandomBrightness>(
          augmentation::factor_from(read.at("factor"), "RandomBrightness", "factor"),
          RandomBrightnessOptions{.value_range = augmentation::value_range_from(config, "RandomBrightness"),
                                  .seed = augmentation::seed_from(config)}),
      config);
}

Config RandomBrightness::get_config() const {
  Config config = RandomAugmentation::get_config();
  config["factor"] = augmentation::factor_config(factor_);
  config["value_range"] = {options_.value_range[0], options_.value_range[1]};
  config["seed"] = augmentation::seed_config(options_.seed);
  return config;
}

torch::Tensor RandomBrightness::augment(const torch::Tensor& inputs) {
  const double width = options_.value_range[1] - options_.value_range[0];
  const torch::Tensor delta = (draws().uniform(inputs.size(0), factor_.lower, factor_.upper) * width)
                                  .to(inputs.device(), inputs.scalar_type())
                                  .view({-1, 1, 1, 1});
  return (inputs + delta).clamp(options_.value_range[0], options_.value_range[1]);
}

}  // namespace tkeras::layers
