// RandomTranslation: Keras's translation matrix, sampled by grid_sample.
#include "tkeras/layers/random_translation.h"

#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"

namespace tkeras::layers {

RandomTranslation::RandomTranslation(RandomFactor height_factor, RandomFactor width_factor,
                                     RandomTranslationOptions options)
    : RandomAugmentation("random_translation", options.seed),
      height_factor_(height_factor),
      width_factor_(width_factor),
      options_(std::move(options)) {
  augmentation::check_factor("RandomTranslation", "height_factor", height_factor_, -1.0, 1.0);
  augmentation::check_factor("RandomTranslation", "width_factor", width_factor_, -1.0, 1.0);
  augmentation::check_modes("RandomTranslation", options_.fill_mode, options_.interpolation);
}

const registry::Registrar<RandomTranslation> random_translation_registration("RandomTranslation");

std::shared_ptr<RandomTranslation> RandomTranslation::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomTranslation");
  return configured(std::make_shared<RandomTranslation>(
                        augmentation::factor_from(read.at("height_factor"), "RandomTranslation", "height_factor"),
                        augmentation::factor_from(read.at("width_factor"), "RandomTranslation", "width_factor"),
                        augmentation::read_transform_options<RandomTranslationOptions>(config)),
                    config);
}

Config RandomTranslation::get_config() const {
  Config config = RandomAugmentation::get_config();
  config["height_factor"] = augmentation::factor_config(height_factor_);
  config["width_factor"] = augmentation::factor_config(width_factor_);
  augmentation::write_transform_options(config, options_);
  return config;
}

torch::Tensor RandomTranslation::augment(const torch::Tensor& inputs) {
  const int64_t batch = inputs.size(0);
  const torch::Tensor dy =
      draws().uniform(batch, height_factor_.lower, height_factor_.upper) * static_cast<double>(inputs.size(1));
  const torch::Tensor dx =
      draws().uniform(batch, width_factor_.lower, width_factor_.upper) * static_cast<double>(inputs.size(2));
  // Keras's _get_translation_matrix: [1, 0, -dx, 0, 1, -dy].
  const torch::Tensor ones = torch::ones_like(dx);
  const torch::Tensor zeros = torch::zeros_like(dx);
  const torch::Tensor matrices = torch::stack({ones, zeros, -dx, zeros, ones, -dy}, 1);
  return augmentation::affine_transform(inputs, matrices, options_.interpolation, options_.fill_mode,
                                        options_.fill_value);
}

}  // namespace tkeras::layers
