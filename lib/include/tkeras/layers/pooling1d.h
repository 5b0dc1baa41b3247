// 1-D pooling: MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D and GlobalMaxPooling1D over
// channels-last sequences.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The options of the windowed 1-D pooling layers, Keras's keyword arguments in Keras's order.
struct Pooling1DOptions {
  std::optional<int64_t> strides = std::nullopt;  ///< Step between windows. Default: the pool size.
  std::string padding = "valid";                  ///< `"valid"` or `"same"`. Default: "valid".
};

/// The base of the windowed 1-D pooling layers: inputs `[N, steps, channels]`, outputs
/// `[N, steps', channels]` with Keras's output length (`"same"`: ceil(steps / strides)).
class Pooling1D : public Layer {
 public:
  /// The window's length.
  int64_t pool_size() const { return pool_size_; }
  /// The step between windows.
  int64_t strides() const { return strides_; }
  /// `"valid"` or `"same"`.
  const std::string& padding() const { return padding_mode_; }
  Config get_config() const override;

 protected:
  /// A pooling layer named from `prefix`; `class_name` names it in errors. Throws
  /// `tkeras::Error` for non-positive sizes or an unknown padding.
  Pooling1D(std::string_view prefix, std::string_view class_name, int64_t pool_size, Pooling1DOptions options);
  /// The pool size and options a pooling layer's config holds.
  static std::pair<int64_t, Pooling1DOptions> read_config(const Config& config);
  /// `inputs` as LibTorch's `[N, channels, steps]`, padded for "same" with `value`.
  torch::Tensor padded_channels_first(const torch::Tensor& inputs, double value) const;

  Shape build_weights(const Shape& input_shape) override;

  int64_t pool_size_;         ///< The window's length.
  int64_t strides_;           ///< How far the window moves.
  std::string padding_mode_;  ///< "valid" or "same".
  int64_t pad_front_ = 0;     ///< Steps of padding before the sequence ("same").
  int64_t pad_back_ = 0;      ///< Steps of padding after it.
};

/// The maximum of each window, as Keras's `MaxPooling1D`.
///
/// Example: `tkeras::layers::MaxPooling1D(2)` halves the number of steps.
class MaxPooling1D : public Pooling1D {
 public:
  /// Windows of `pool_size` steps. Default: 2.
  explicit MaxPooling1D(int64_t pool_size = 2, Pooling1DOptions options = {});
  /// A MaxPooling1D layer from its `get_config()`: `pool_size` (Default: 2), `strides` (Default:
  /// the pool size), `padding` (Default: "valid"), `name`, `trainable`.
  static std::shared_ptr<MaxPooling1D> from_config(const Config& config);

  std::string class_name() const override { return "MaxPooling1D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

/// The mean of each window, as Keras's `AveragePooling1D`. With `"same"` padding, border windows
/// average only the steps inside the sequence, as in Keras.
class AveragePooling1D : public Pooling1D {
 public:
  /// Windows of `pool_size` steps. Default: 2.
  explicit AveragePooling1D(int64_t pool_size = 2, Pooling1DOptions options = {});
  /// An AveragePooling1D layer from its `get_config()`, with MaxPooling1D's options.
  static std::shared_ptr<AveragePooling1D> from_config(const Config& config);

  std::string class_name() const override { return "AveragePooling1D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

/// The options of the global 1-D pooling layers.
struct GlobalPooling1DOptions {
  bool keepdims = false;  ///< Keep the steps axis, of length 1. Default: false.
};

/// The base of the global 1-D pooling layers: `[N, steps, channels]` to `[N, channels]` (or
/// `[N, 1, channels]` with `keepdims`).
class GlobalPooling1D : public Layer {
 public:
  /// Whether the steps axis is kept, of length 1.
  bool keepdims() const { return options_.keepdims; }
  Config get_config() const override;

 protected:
  /// A layer named from `prefix`.
  GlobalPooling1D(std::string_view prefix, GlobalPooling1DOptions options);
  /// The options a global pooling layer's config holds, refusing `data_format` "channels_first"
  /// with an error naming `class_name`.
  static GlobalPooling1DOptions read_config(const Config& config, std::string_view class_name);

  Shape build_weights(const Shape& input_shape) override;

  GlobalPooling1DOptions options_;  ///< The options (`keepdims`).
};

/// The mean over the steps, as Keras's `GlobalAveragePooling1D`. With a mask (from
/// `Embedding(..., {.mask_zero = true})`) it averages the unmasked steps only, as Keras does (a
/// row with every step masked gives NaN, as in Keras), and passes no mask on.
///
/// Example: `tkeras::layers::GlobalAveragePooling1D()` after an Embedding.
class GlobalAveragePooling1D : public GlobalPooling1D {
 public:
  /// The mean over the steps. `options`: Default: `keepdims` false.
  explicit GlobalAveragePooling1D(GlobalPooling1DOptions options = {});
  /// A GlobalAveragePooling1D layer from its `get_config()`: `keepdims` (Default: false), `name`,
  /// `trainable`.
  static std::shared_ptr<GlobalAveragePooling1D> from_config(const Config& config);

  std::string class_name() const override { return "GlobalAveragePooling1D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;
  /// True: it reads the mask (and ends it).
  bool supports_masking() const override { return true; }
  /// None: the steps are gone.
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;
};

/// The maximum over the steps, as Keras's `GlobalMaxPooling1D`. It does not read a mask, as in
/// Keras.
class GlobalMaxPooling1D : public GlobalPooling1D {
 public:
  /// The maximum over the steps. `options`: Default: `keepdims` false.
  explicit GlobalMaxPooling1D(GlobalPooling1DOptions options = {});
  /// A GlobalMaxPooling1D layer from its `get_config()`: `keepdims` (Default: false), `name`,
  /// `trainable`.
  static std::shared_ptr<GlobalMaxPooling1D> from_config(const Config& config);

  std::string class_name() const override { return "GlobalMaxPooling1D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

}  // namespace tkeras::layers
