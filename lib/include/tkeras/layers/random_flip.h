// RandomFlip: flips images at random while training, as Keras's augmentation layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tkeras/layers/random_augmentation.h"

namespace tkeras::layers {

/// The options of `RandomFlip`, Keras's.
struct RandomFlipOptions {
  /// Seed of the layer's own generator. Default: none, LibTorch's default generator (which
  /// `tkeras::utils::set_random_seed` seeds).
  std::optional<uint64_t> seed;
};

/// Flips each image of a batch with probability 1/2 in `fit`, as Keras 3's `RandomFlip`; in
/// `evaluate` and `predict` it passes images through. `mode` is `"horizontal"` (left-right),
/// `"vertical"` (upside down) or `"horizontal_and_vertical"`, where, as in Keras 3.15, one draw
/// per image decides both flips (an image is either kept or turned by 180 degrees). Inputs are
/// images `[batch, height, width, channels]`; no weights.
class RandomFlip : public RandomAugmentation {
 public:
  /// A RandomFlip in `mode`. Default: `"horizontal_and_vertical"`.
  explicit RandomFlip(std::string mode = "horizontal_and_vertical", RandomFlipOptions options = {});
  /// A RandomFlip from its `get_config()`: `mode`, `seed`, `name`, `trainable`.
  static std::shared_ptr<RandomFlip> from_config(const Config& config);

  /// The flips: "horizontal", "vertical" or "horizontal_and_vertical".
  const std::string& mode() const { return mode_; }
  std::string class_name() const override { return "RandomFlip"; }
  Config get_config() const override;

 protected:
  torch::Tensor augment(const torch::Tensor& images) override;

 private:
  std::string mode_;
};

}  // namespace tkeras::layers
