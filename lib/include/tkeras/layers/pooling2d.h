// Pooling: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D and GlobalMaxPooling2D over
// channels-last images.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// The options of the 2-D pooling layers, Keras's keyword arguments in Keras's order.
struct Pooling2DOptions {
  std::optional<Size2> strides;   ///< Step between windows. Default: the pool size.
  std::string padding = "valid";  ///< `"valid"` or `"same"`. Default: "valid".
};

/// The base of the windowed 2-D pooling layers: pool size, strides, padding and Keras's output
/// shape `[N, H', W', C]`.
class Pooling2D : public Layer {
 public:
  /// The window's height and width.
  const Size2& pool_size() const { return pool_size_; }
  /// The step between windows.
  const Size2& strides() const { return strides_; }
  /// `"valid"` or `"same"`.
  const std::string& padding() const { return padding_mode_; }
  Config get_config() const override;

 protected:
  /// A pooling layer named from `prefix`; `class_name` names it in errors. Throws
  /// `tkeras::Error` for non-positive sizes or an unknown padding.
  Pooling2D(std::string_view prefix, std::string_view class_name, Size2 pool_size, Pooling2DOptions options);
  /// The pool size and options a pooling layer's config holds.
  static std::pair<Size2, Pooling2DOptions> read_config(const Config& config);

  Shape build_weights(const Shape& input_shape) override;

  Size2 pool_size_;                                ///< The window's height and width.
  Size2 strides_;                                  ///< How far the window moves.
  std::string padding_mode_;                       ///< "valid" or "same".
  std::array<int64_t, 4> padding_ = {0, 0, 0, 0};  ///< "same" padding: left, right, top, bottom.
};

/// The maximum of each window, as Keras's `MaxPooling2D`: `[N, H, W, C]` to `[N, H', W', C]`.
///
/// Example: `tkeras::layers::MaxPooling2D(2)` halves height and width.
class MaxPooling2D : public Pooling2D {
 public:
  /// Windows of `pool_size`. Default: 2x2.
  explicit MaxPooling2D(Size2 pool_size = 2, Pooling2DOptions options = {});
  /// A MaxPooling2D layer from its `get_config()`: `pool_size` (Default: 2), `strides` (Default:
  /// the pool size), `padding` (Default: "valid"), `name`, `trainable`.
  static std::shared_ptr<MaxPooling2D> from_config(const Config& config);

  std::string class_name() const override { return "MaxPooling2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

/// The mean of each window, as Keras's `AveragePooling2D`. With `"same"` padding, border windows
/// average only the values inside the image, as in Keras.
class AveragePooling2D : public Pooling2D {
 public:
  /// Windows of `pool_size`. Default: 2x2.
  explicit AveragePooling2D(Size2 pool_size = 2, Pooling2DOptions options = {});
  /// An AveragePooling2D layer from its `get_config()`, with MaxPooling2D's options.
  static std::shared_ptr<AveragePooling2D> from_config(const Config& config);

  std::string class_name() const override { return "AveragePooling2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

/// The options of the global 2-D pooling layers.
struct GlobalPooling2DOptions {
  bool keepdims = false;  ///< Keep height and width, of length 1: `[N, 1, 1, C]`. Default: false.
};

/// The base of the global 2-D pooling layers: `[N, H, W, C]` to `[N, C]` (or `[N, 1, 1, C]` with
/// `keepdims`).
class GlobalPooling2D : public Layer {
 public:
  /// Whether height and width are kept, of length 1.
  bool keepdims() const { return options_.keepdims; }
  Config get_config() const override;

 protected:
  /// A layer named from `prefix`.
  GlobalPooling2D(std::string_view prefix, GlobalPooling2DOptions options);
  /// The options a global pooling layer's config holds, refusing `data_format` "channels_first"
  /// with an error naming `class_name`.
  static GlobalPooling2DOptions read_config(const Config& config, std::string_view class_name);

  Shape build_weights(const Shape& input_shape) override;

  GlobalPooling2DOptions options_;  ///< The options (`keepdims`).
};

/// The mean over height and width, as Keras's `GlobalAveragePooling2D`: `[N, H, W, C]` to
/// `[N, C]`, or `[N, 1, 1, C]` with `keepdims` (EfficientNet's and MobileNetV3's squeeze and
/// excitation).
class GlobalAveragePooling2D : public GlobalPooling2D {
 public:
  /// The mean over height and width. `options`: Default: `keepdims` false.
  explicit GlobalAveragePooling2D(GlobalPooling2DOptions options = {});
  /// A GlobalAveragePooling2D layer from its `get_config()`: `keepdims` (Default: false), `name`,
  /// `trainable`.
  static std::shared_ptr<GlobalAveragePooling2D> from_config(const Config& config);

  std::string class_name() const override { return "GlobalAveragePooling2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

/// The maximum over height and width, as Keras's `GlobalMaxPooling2D`: `[N, H, W, C]` to
/// `[N, C]`, or `[N, 1, 1, C]` with `keepdims`.
class GlobalMaxPooling2D : public GlobalPooling2D {
 public:
  /// The maximum over height and width. `options`: Default: `keepdims` false.
  explicit GlobalMaxPooling2D(GlobalPooling2DOptions options = {});
  /// A GlobalMaxPooling2D layer from its `get_config()`: `keepdims` (Default: false), `name`,
  /// `trainable`.
  static std::shared_ptr<GlobalMaxPooling2D> from_config(const Config& config);

  std::string class_name() const override { return "GlobalMaxPooling2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
};

}  // namespace tkeras::layers
