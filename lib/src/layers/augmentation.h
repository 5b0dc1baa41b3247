// What the random augmentation layers share (internal): Keras's affine transform with its fill
// modes, seeded draws, and their checks and configs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"
#include "tkeras/layers/random_factor.h"

namespace tkeras::layers::augmentation {

/// The generator a random layer draws from: its own, seeded, when `seed` is given; else LibTorch's
/// default CPU generator (so that `set_random_seed` fixes it).
class Draws {
 public:
  explicit Draws(std::optional<uint64_t> seed);
  /// `count` values uniform in [lower, upper), as float32 on the CPU.
  torch::Tensor uniform(int64_t count, double lower, double upper);

 private:
  std::optional<at::Generator> generator_;
};

/// Keras's `affine_transform` (torch backend): output pixel (y, x) of image i reads the input at
/// x' = a0 x + a1 y + a2, y' = b0 x + b1 y + b2, with `matrices[i]` = [a0, a1, a2, b0, b1, b2].
/// `images` are [batch, height, width, channels]. `interpolation` "bilinear" or "nearest";
/// `fill_mode` "reflect" (d c b a | a b c d | d c b a), "nearest" (the edge pixel) or "constant"
/// (`fill_value`). Runs as one LibTorch grid_sample on the images' device.
torch::Tensor affine_transform(const torch::Tensor& images, const torch::Tensor& matrices,
                               const std::string& interpolation, const std::string& fill_mode, double fill_value);

/// Throws `tkeras::Error` naming `layer` unless `fill_mode` and `interpolation` are supported.
void check_modes(std::string_view layer, const std::string& fill_mode, const std::string& interpolation);
/// Throws `tkeras::Error` naming `layer` unless the input is images [height, width, channels].
void check_images(std::string_view layer, const Shape& input_shape);
/// Throws `tkeras::Error` naming `layer` and `name` unless `factor` lies within [low, high].
void check_factor(std::string_view layer, std::string_view name, const RandomFactor& factor, double low, double high);

/// A factor as a config value: [lower, upper].
Config factor_config(const RandomFactor& factor);
/// A factor from a config value: a number or [lower, upper].
RandomFactor factor_from(const Config& value, std::string_view layer, std::string_view name);
/// Throws `tkeras::Error` naming `layer` when a config asks for `data_format` "channels_first"
/// (tkeras's images are channels-last, Keras's default).
void check_data_format(const Config& config, std::string_view layer);
/// Throws `tkeras::Error` naming `layer` unless `range` is [low, high] with low < high.
void check_value_range(std::string_view layer, const std::array<double, 2>& range);
/// The `value_range` option of a config. Default: {0, 255}.
std::array<double, 2> value_range_from(const Config& config, std::string_view layer);
/// The seed option of a config (null when none).
std::optional<uint64_t> seed_from(const Config& config);
/// A seed as a config value (null when none).
Config seed_config(std::optional<uint64_t> seed);

/// Writes the options the affine layers (RandomRotation, RandomZoom, RandomTranslation) share.
template <typename Options>
void write_transform_options(Config& config, const Options& options) {
  config["fill_mode"] = options.fill_mode;
  config["interpolation"] = options.interpolation;
  config["seed"] = seed_config(options.seed);
  config["fill_value"] = options.fill_value;
}

/// Reads the options the affine layers share into `options`, with Keras's defaults.
template <typename Options>
Options read_transform_options(const Config& config, Options options = {}) {
  const ConfigReader read(config);
  options.fill_mode = read.string("fill_mode", "reflect");
  options.interpolation = read.string("interpolation", "bilinear");
  options.seed = seed_from(config);
  options.fill_value = read.number("fill_value", 0.0);
  return options;
}

}  // namespace tkeras::layers::augmentation
