// SpatialDropout1D and SpatialDropout2D: dropout of whole feature maps while training.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ATen/core/Generator.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// What Keras's spatial dropouts share (its `BaseSpatialDropout`): in training, each feature map
/// (a channel of one sample) is dropped whole with probability `rate`, and the maps kept are scaled
/// by 1 / (1 - rate); at inference the layer passes inputs through (and exports to ONNX as the
/// identity). Draws come from the layer's own generator when it has a `seed` (on the CPU, so that
/// one seed drops the same maps on every device), else from LibTorch's default generator of the
/// inputs' device (which `tkeras::utils::set_random_seed` seeds). No weights; passes masks on.
class SpatialDropout : public Layer {
 public:
  /// The fraction of feature maps dropped, in [0, 1].
  double rate() const { return rate_; }
  /// The seed of the layer's own generator, or none.
  std::optional<uint64_t> seed() const { return seed_; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  /// `name`, `trainable`, `rate` and `seed` (null when none).
  Config get_config() const override;
  /// Keras's entry: its config without `trainable`, which Keras's spatial dropouts neither write
  /// nor take.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  /// A layer named after `base_name` that drops with `rate`, drawing with `seed`. Throws
  /// `tkeras::Error` naming `layer` for a rate outside [0, 1].
  SpatialDropout(std::string_view base_name, std::string_view layer, double rate, std::optional<uint64_t> seed);
  /// The shape of the draws for `inputs`: the batch and channel axes, 1 elsewhere.
  virtual std::vector<int64_t> noise_shape(const torch::Tensor& inputs) const = 0;
  /// Throws `tkeras::Error` naming `layer` unless the inputs (without the batch axis) have `rank`
  /// axes; returns `input_shape`.
  static Shape checked_rank(std::string_view layer, const Shape& input_shape, size_t rank);

 private:
  double rate_;
  std::optional<uint64_t> seed_;
  std::optional<at::Generator> generator_;
};

/// SpatialDropout1D's options, Keras's keyword arguments after `rate`.
struct SpatialDropout1DOptions {
  /// The seed of the layer's own generator. Default: none (LibTorch's default generator).
  std::optional<uint64_t> seed;
};

/// Keras's `SpatialDropout1D`: on sequences `[batch, steps, channels]`, drops whole channels
/// (the same ones at every step of a sample) while training. See `SpatialDropout`.
///
/// Example: `tkeras::layers::SpatialDropout1D(0.2)` after an Embedding or a Conv1D.
class SpatialDropout1D : public SpatialDropout {
 public:
  /// Drops a fraction `rate` in [0, 1] of the channels. Throws `tkeras::Error` otherwise.
  explicit SpatialDropout1D(double rate, SpatialDropout1DOptions options = {});
  /// A SpatialDropout1D layer from its `get_config()`: `rate`, `seed` (Default: null), `name`,
  /// `trainable`.
  static std::shared_ptr<SpatialDropout1D> from_config(const Config& config);
  std::string class_name() const override { return "SpatialDropout1D"; }

 protected:
  /// Throws `tkeras::Error` unless the inputs are `[steps, channels]` (without the batch axis).
  Shape build_weights(const Shape& input_shape) override;
  std::vector<int64_t> noise_shape(const torch::Tensor& inputs) const override;
};

/// SpatialDropout2D's options, Keras's keyword arguments after `rate`.
struct SpatialDropout2DOptions {
  /// Where the channels are: `"channels_last"` (`[batch, rows, cols, channels]`) or
  /// `"channels_first"` (`[batch, channels, rows, cols]`). Default: `"channels_last"`.
  std::string data_format = "channels_last";
  /// The seed of the layer's own generator. Default: none (LibTorch's default generator).
  std::optional<uint64_t> seed;
};

/// Keras's `SpatialDropout2D`: on images, drops whole feature maps (one channel of one image)
/// while training. See `SpatialDropout`.
///
/// Example: `tkeras::layers::SpatialDropout2D(0.25)` after a Conv2D.
class SpatialDropout2D : public SpatialDropout {
 public:
  /// Drops a fraction `rate` in [0, 1] of the feature maps. Throws `tkeras::Error` for another
  /// rate or a `data_format` other than the two.
  explicit SpatialDropout2D(double rate, SpatialDropout2DOptions options = {});
  /// A SpatialDropout2D layer from its `get_config()`: `rate`, `data_format` (Default:
  /// "channels_last"), `seed` (Default: null), `name`, `trainable`.
  static std::shared_ptr<SpatialDropout2D> from_config(const Config& config);
  /// The options after `rate` it was made with.
  const SpatialDropout2DOptions& options() const { return options_; }
  std::string class_name() const override { return "SpatialDropout2D"; }
  /// `name`, `trainable`, `rate`, `seed` and `data_format`.
  Config get_config() const override;

 protected:
  /// Throws `tkeras::Error` unless the inputs are images (three axes without the batch axis).
  Shape build_weights(const Shape& input_shape) override;
  std::vector<int64_t> noise_shape(const torch::Tensor& inputs) const override;

 private:
  SpatialDropout2DOptions options_;
};

}  // namespace tkeras::layers
