// RandomContrast: scales each image's deviation from its mean at random while training, as Keras's.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "tkeras/layers/random_augmentation.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers {

/// The options of `RandomContrast`, Keras's.
struct RandomContrastOptions {
  /// The range of the pixel values; outputs are clipped to it. Default: {0, 255}.
  std::array<double, 2> value_range = {0.0, 255.0};
  /// Seed of the layer's own generator. Default: none, LibTorch's default generator.
  std::optional<uint64_t> seed;
};

/// Changes each image's contrast by a random factor in `fit`, as Keras 3's `RandomContrast`:
/// per image and channel, `(x - mean) * c + mean` with the mean over height and width, clipped to
/// `value_range`; in `evaluate` and `predict` it passes images through. The factor `c` is drawn
/// from [1 - lower, 1 + upper], where, as in Keras 3.15, one number `f` means lower 0 and upper
/// `f` (so `RandomContrast(0.2)` only raises contrast, by up to 20%) and `{lower, upper}` is used
/// as given; both within [0, 1]. Inputs are images `[batch, height, width, channels]`.
class RandomContrast : public RandomAugmentation {
 public:
  /// A contrast change by `factor`.
  explicit RandomContrast(RandomFactor factor, RandomContrastOptions options = {});
  /// One number `factor`: Keras's [0, factor].
  explicit RandomContrast(double factor, RandomContrastOptions options = {});
  /// A RandomContrast from its `get_config()`: `factor`, `value_range`, `seed`, `name`, `trainable`.
  static std::shared_ptr<RandomContrast> from_config(const Config& config);

  /// The range: contrast factors are drawn from [1 - lower, 1 + upper].
  const RandomFactor& factor() const { return factor_; }
  std::string class_name() const override { return "RandomContrast"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  RandomFactor factor_;
  RandomContrastOptions options_;
};

}  // namespace tkeras::layers
