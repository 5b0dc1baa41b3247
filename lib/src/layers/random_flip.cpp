// RandomFlip: one draw per image, then flips where it says so.
#include "tkeras/layers/random_flip.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

RandomFlip::RandomFlip(std::string mode, RandomFlipOptions options)
    : Layer("random_flip"),
      mode_(std::move(mode)),
      seed_(options.seed),
      draws_(std::make_shared<augmentation::Draws>(options.seed)) {
  if (mode_ != "horizontal" && mode_ != "vertical" && mode_ != "horizontal_and_vertical") {
    throw Error(fmt::format(
        "RandomFlip: expected mode \"horizontal\", \"vertical\" or \"horizontal_and_vertical\", received \"{}\"",
        mode_));
  }
}

const registry::Registrar<RandomFlip> random_flip_registration("RandomFlip");

std::shared_ptr<RandomFlip> RandomFlip::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomFlip");
  return configured(std::make_shared<RandomFlip>(read.string("mode", "horizontal_and_vertical"),
                                                 RandomFlipOptions{.seed = augmentation::seed_from(config)}),
                    config);
}

Config RandomFlip::get_config() const {
  Config config = Layer::get_config();
  config["mode"] = mode_;
  config["seed"] = augmentation::seed_config(seed_);
  return config;
}

Shape RandomFlip::build_weights(const Shape& input_shape) {
  augmentation::check_images("RandomFlip", input_shape);
  return input_shape;
}

torch::Tensor RandomFlip::call(const torch::Tensor& inputs, bool training) {
  if (!training) return inputs;
  const torch::Tensor flips =
      draws_->uniform(inputs.size(0), 0.0, 1.0).le(0.5).to(inputs.device()).view({inputs.size(0), 1, 1, 1});
  torch::Tensor outputs = inputs;
  if (mode_ != "vertical") outputs = torch::where(flips, outputs.flip({2}), outputs);
  if (mode_ != "horizontal") outputs = torch::where(flips, outputs.flip({1}), outputs);
  return outputs;
}

}  // namespace tkeras::layers
