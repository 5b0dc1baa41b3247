// DepthwiseConv2D: a 2-D convolution of each channel on its own, as Keras's DepthwiseConv2D.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// DepthwiseConv2D's options, Keras's keyword arguments in Keras's order.
struct DepthwiseConv2DOptions {
  Size2 strides = 1;  ///< Step between windows. Default: 1.
  /// `"valid"` (no padding) or `"same"` (output size ceil(input / stride)). Default: "valid".
  std::string padding = "valid";
  int64_t depth_multiplier = 1;  ///< Output channels per input channel. Default: 1.
  std::string activation;        ///< Activation name. Default: none (linear).
  bool use_bias = true;          ///< Add a bias per output channel. Default: true.
};

/// A depthwise 2-D convolution, as Keras's `DepthwiseConv2D` (MobileNet's and EfficientNet's):
/// each input channel has its own `depth_multiplier` windows, and output channel `c *
/// depth_multiplier + m` is channel `c` through window `m`. Inputs are channels-last images `[N,
/// H, W, C]`; outputs are `[N, H', W', C * depth_multiplier]`.
///
/// The kernel has Keras's layout `[kernel_h, kernel_w, channels, depth_multiplier]` (named
/// `kernel`, as Keras 3 names it), initialised Glorot-uniform; the bias `[channels *
/// depth_multiplier]` starts at zero. Inside, it is LibTorch's grouped convolution (one group per
/// channel) on a channels-last view.
///
/// Example: `tkeras::layers::DepthwiseConv2D(3, {.padding = "same", .use_bias = false})`.
class DepthwiseConv2D : public Layer {
 public:
  /// `kernel_size` windows. Throws `tkeras::Error` for non-positive sizes or multiplier, an
  /// unknown padding or activation.
  explicit DepthwiseConv2D(Size2 kernel_size, DepthwiseConv2DOptions options = {});
  /// A DepthwiseConv2D layer from its `get_config()`: `kernel_size`, `strides` (Default: 1),
  /// `padding` (Default: "valid"), `depth_multiplier` (Default: 1), `activation` (Default:
  /// linear), `use_bias` (Default: true), `name`, `trainable`.
  static std::shared_ptr<DepthwiseConv2D> from_config(const Config& config);

  /// The window's height and width.
  const Size2& kernel_size() const { return kernel_size_; }
  /// The options it was made with.
  const DepthwiseConv2DOptions& options() const { return options_; }
  std::string class_name() const override { return "DepthwiseConv2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  std::string activation() const override { return options_.activation.empty() ? "linear" : options_.activation; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Size2 kernel_size_;
  DepthwiseConv2DOptions options_;
  activations::Function activation_;
  torch::Tensor kernel_;
  detail::ConvertedWeight torch_kernel_;  // the kernel in LibTorch's layout, kept while not trained
  torch::Tensor bias_;
  int64_t channels_ = 0;
  std::array<int64_t, 4> padding_ = {0, 0, 0, 0};  // left, right, top, bottom
};

}  // namespace tkeras::layers
