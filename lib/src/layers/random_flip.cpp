// RandomFlip: one draw per image, then flips where it says so.
#include "tkeras/layers/random_flip.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

RandomFlip::RandomFlip(std::string mode, RandomFlipOptions options)
    : RandomAugmentation("random_flip", options.seed), mode_(std::move(mode)) {
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
  Config config = RandomAugmentation::get_config();
  config["mode"] = mode_;
  return config;
}

torch::Tensor RandomFlip::augment(const torch::Tensor& inputs) {
  const torch::Tensor flips =
      draws().uniform(inputs.size(0), 0.0, 1.0).le(0.5).to(inputs.device()).view({inputs.size(0), 1, 1, 1});
  torch::Tensor outputs = inputs;
  if (mode_ != "vertical") outputs = torch::where(flips, outputs.flip({2}), outputs);
  if (mode_ != "horizontal") outputs = torch::where(flips, outputs.flip({1}), outputs);
  return outputs;
}

}  // namespace tkeras::layers
