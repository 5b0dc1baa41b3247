// RandomTranslation: shifts images at random while training, as Keras's augmentation layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tkeras/layers/random_augmentation.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers {

/// The options of `RandomTranslation`, Keras's, in Keras's order.
struct RandomTranslationOptions {
  /// How pixels from outside the image are filled: "reflect", "nearest" or "constant" (as
  /// RandomRotation's). Default: "reflect".
  std::string fill_mode = "reflect";
  /// "bilinear" or "nearest". Default: "bilinear".
  std::string interpolation = "bilinear";
  /// Seed of the layer's own generator. Default: none, LibTorch's default generator.
  std::optional<uint64_t> seed;
  /// The value of "constant" filling. Default: 0.
  double fill_value = 0.0;
};

/// Shifts each image of a batch by a random offset in `fit`, as Keras's `RandomTranslation`; in
/// `evaluate` and `predict` it passes images through. The factors are fractions of the height
/// and width, within [-1, 1]: 0.2 shifts by up to 20% either way; positive values move the
/// content down and right. Inputs are images `[batch, height, width, channels]`; no weights.
class RandomTranslation : public RandomAugmentation {
 public:
  /// Shifts by up to `height_factor` of the height and `width_factor` of the width.
  RandomTranslation(RandomFactor height_factor, RandomFactor width_factor, RandomTranslationOptions options = {});
  /// A RandomTranslation from its `get_config()`: `height_factor`, `width_factor`, `fill_mode`,
  /// `interpolation`, `seed`, `fill_value`, `name`, `trainable`.
  static std::shared_ptr<RandomTranslation> from_config(const Config& config);

  std::string class_name() const override { return "RandomTranslation"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  RandomFactor height_factor_;
  RandomFactor width_factor_;
  RandomTranslationOptions options_;
};

}  // namespace tkeras::layers
