// RandomRotation: Keras's rotation matrix about the centre, sampled by grid_sample.
#include "tkeras/layers/random_rotation.h"

#include <numbers>

#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"

namespace tkeras::layers {

RandomRotation::RandomRotation(RandomFactor factor, RandomRotationOptions options)
    : RandomAugmentation("random_rotation", options.seed), factor_(factor), options_(std::move(options)) {
  augmentation::check_factor("RandomRotation", "factor", factor_, -1.0, 1.0);
  augmentation::check_modes("RandomRotation", options_.fill_mode, options_.interpolation);
}

const registry::Registrar<RandomRotation> random_rotation_registration("RandomRotation");

std::shared_ptr<RandomRotation> RandomRotation::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomRotation");
  return configured(
      std::make_shared<RandomRotation>(augmentation::factor_from(read.at("factor"), "RandomRotation", "factor"),
                                       augmentation::read_transform_options<RandomRotationOptions>(config)),
      config);
}

Config RandomRotation::get_config() const {
  Config config = RandomAugmentation::get_config();
  config["factor"] = augmentation::factor_config(factor_);
  augmentation::write_transform_options(config, options_);
  return config;
}

torch::Tensor RandomRotation::augment(const torch::Tensor& inputs) {
  const int64_t batch = inputs.size(0);
  // Keras's _compute_affine_matrix with no shear, scale 1 and no translation, about the centre
  // ((width - 1) / 2, (height - 1) / 2).
  const torch::Tensor angle =
      draws().uniform(batch, factor_.lower * 360.0, factor_.upper * 360.0) * (std::numbers::pi / 180.0);
  const double cx = 0.5 * static_cast<double>(inputs.size(2) - 1);
  const double cy = 0.5 * static_cast<double>(inputs.size(1) - 1);
  const torch::Tensor cos = angle.cos();
  const torch::Tensor sin = angle.sin();
  const torch::Tensor& a0 = cos;
  const torch::Tensor a1 = -sin;
  const torch::Tensor& b0 = sin;
  const torch::Tensor& b1 = cos;
  const torch::Tensor matrices = torch::stack({a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1}, 1);
  return augmentation::affine_transform(inputs, matrices, options_.interpolation, options_.fill_mode,
                                        options_.fill_value);
}

}  // namespace tkeras::layers
