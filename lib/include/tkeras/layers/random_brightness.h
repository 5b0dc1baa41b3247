// RandomBrightness: adds a random offset to each image while training, as Keras's.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "tkeras/layers/random_augmentation.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers {

/// The options of `RandomBrightness`, Keras's.
struct RandomBrightnessOptions {
  /// The range of the pixel values: offsets are fractions of its width, and outputs are clipped
  /// to it. Default: {0, 255}.
  std::array<double, 2> value_range = {0.0, 255.0};
  /// Seed of the layer's own generator. Default: none, LibTorch's default generator.
  std::optional<uint64_t> seed;
};

/// Brightens or darkens each image by a random offset in `fit`, as Keras's `RandomBrightness`: the
/// offset is drawn from `factor` (within [-1, 1]; 0.2 means [-0.2, 0.2]) times the width of
/// `value_range`, added to every pixel, and the result clipped to `value_range`; in `evaluate` and
/// `predict` it passes images through. Inputs are images `[batch, height, width, channels]`.
class RandomBrightness : public RandomAugmentation {
 public:
  /// A brightness change by `factor`.
  explicit RandomBrightness(RandomFactor factor, RandomBrightnessOptions options = {});
  /// A RandomBrightness from its `get_config()`: `factor`, `value_range`, `seed`, `name`,
  /// `trainable`.
  static std::shared_ptr<RandomBrightness> from_config(const Config& config);

  /// The range of the offset, as a fraction of `value_range`'s width.
  const RandomFactor& factor() const { return factor_; }
  std::string class_name() const override { return "RandomBrightness"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  RandomFactor factor_;
  RandomBrightnessOptions options_;
};

}  // namespace tkeras::layers
