// RandomAugmentation: the base of the random image augmentation layers, as Keras's
// BaseImagePreprocessingLayer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

namespace augmentation {
class Draws;
}

/// The base of `RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`,
/// `RandomContrast` and `RandomBrightness`, as Keras 3's `BaseImagePreprocessingLayer`: it changes
/// images `[batch, height, width, channels]` at random in `fit` and passes them through in
/// `evaluate` and `predict` (and in an ONNX export: inference). Draws come from the layer's own
/// generator when it has a `seed`, else from LibTorch's default one (which
/// `tkeras::utils::set_random_seed` seeds). No weights.
class RandomAugmentation : public Layer {
 public:
  /// The seed of the layer's own generator, or none.
  std::optional<uint64_t> seed() const { return seed_; }
  /// `name`, `trainable` and `seed`; each layer adds its options.
  Config get_config() const override;
  /// `augment(inputs)` when `training`, else the inputs themselves.
  torch::Tensor call(const torch::Tensor& inputs, bool training) final;
  /// The identity: an exported model runs inference.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// A layer named after `base_name`, drawing with `seed` (none: LibTorch's default generator).
  RandomAugmentation(std::string_view base_name, std::optional<uint64_t> seed);
  /// The images changed at random, for training.
  virtual torch::Tensor augment(const torch::Tensor& images) = 0;
  /// Checks that the inputs are images `[height, width, channels]`; the output shape is theirs.
  Shape build_weights(const Shape& input_shape) override;
  /// The layer's source of random numbers.
  augmentation::Draws& draws() const { return *draws_; }

 private:
  std::optional<uint64_t> seed_;
  std::shared_ptr<augmentation::Draws> draws_;
};

}  // namespace tkeras::layers
