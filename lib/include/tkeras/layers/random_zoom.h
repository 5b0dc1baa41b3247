// RandomZoom: zooms images in or out at random while training, as Keras's augmentation layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tkeras/layers/random_augmentation.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers {

/// The options of `RandomZoom`, Keras's, in Keras's order.
struct RandomZoomOptions {
  /// The horizontal zoom's range, as `height_factor`. Default: none, each image keeps its aspect
  /// ratio (the vertical draw is used for both).
  std::optional<RandomFactor> width_factor;
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

/// Zooms each image of a batch by a random amount in `fit`, as Keras's `RandomZoom`; in
/// `evaluate` and `predict` it passes images through. `height_factor` is a fraction of the
/// image: negative values zoom in, positive zoom out; 0.2 draws in [-20%, +20%], `{-0.3, -0.2}`
/// zooms in by 20 to 30%. Inputs are images `[batch, height, width, channels]`; no weights.
class RandomZoom : public RandomAugmentation {
 public:
  /// Zooms by `height_factor` (above -1), and `options`.
  explicit RandomZoom(RandomFactor height_factor, RandomZoomOptions options = {});
  /// A RandomZoom from its `get_config()`: `height_factor`, `width_factor`, `fill_mode`,
  /// `interpolation`, `seed`, `fill_value`, `name`, `trainable`.
  static std::shared_ptr<RandomZoom> from_config(const Config& config);

  /// The vertical zoom's range.
  const RandomFactor& height_factor() const { return height_factor_; }
  std::string class_name() const override { return "RandomZoom"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  RandomFactor height_factor_;
  RandomZoomOptions options_;
};

}  // namespace tkeras::layers
