// RandomRotation: turns images by a random angle while training, as Keras's augmentation layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tkeras/layers/random_augmentation.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers {

/// The options of `RandomRotation`, Keras's, in Keras's order.
struct RandomRotationOptions {
  /// How pixels that come from outside the image are filled: "reflect" (d c b a | a b c d |
  /// d c b a), "nearest" (the edge pixel) or "constant" (`fill_value`). Keras's "wrap" is not
  /// supported. Default: "reflect".
  std::string fill_mode = "reflect";
  /// "bilinear" or "nearest". Default: "bilinear".
  std::string interpolation = "bilinear";
  /// Seed of the layer's own generator. Default: none, LibTorch's default generator.
  std::optional<uint64_t> seed;
  /// The value of "constant" filling. Default: 0.
  double fill_value = 0.0;
};

/// Turns each image of a batch by a random angle in `fit`, as Keras's `RandomRotation`; in
/// `evaluate` and `predict` it passes images through. `factor` is a fraction of a full turn:
/// 0.2 draws angles in [-72, 72] degrees, `{-0.1, 0.3}` in [-36, 108]. The image turns about
/// its centre, with Keras's affine matrix and sampling (LibTorch's grid_sample on the model's
/// device). Inputs are images `[batch, height, width, channels]`; no weights.
class RandomRotation : public RandomAugmentation {
 public:
  /// Rotations by up to `factor` of a full turn, within [-1, 1].
  explicit RandomRotation(RandomFactor factor, RandomRotationOptions options = {});
  /// A RandomRotation from its `get_config()`: `factor`, `fill_mode`, `interpolation`, `seed`,
  /// `fill_value`, `name`, `trainable`.
  static std::shared_ptr<RandomRotation> from_config(const Config& config);

  /// The range of the rotation, in full turns.
  const RandomFactor& factor() const { return factor_; }
  std::string class_name() const override { return "RandomRotation"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  RandomFactor factor_;
  RandomRotationOptions options_;
};

}  // namespace tkeras::layers
