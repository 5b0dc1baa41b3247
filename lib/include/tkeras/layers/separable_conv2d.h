// SeparableConv2D: a depthwise 2-D convolution then a pointwise one, as Keras's SeparableConv2D.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// SeparableConv2D's options, Keras's keyword arguments in Keras's order.
struct SeparableConv2DOptions {
  Size2 strides = 1;  ///< Step between the depthwise windows. Default: 1.
  /// `"valid"` (no padding) or `"same"` (output size ceil(input / stride)). Default: "valid".
  std::string padding = "valid";
  /// Spacing between a depthwise window's taps: a window of `k` taps spans `(k - 1) *
  /// dilation_rate + 1` pixels. Default: 1.
  Size2 dilation_rate = 1;
  int64_t depth_multiplier = 1;  ///< Depthwise output channels per input channel. Default: 1.
  std::string activation;        ///< Activation name, after the bias. Default: none (linear).
  bool use_bias = true;          ///< Add a bias per filter, after the pointwise step. Default: true.
};

/// A depthwise separable 2-D convolution, as Keras's `SeparableConv2D` (Xception's): each input
/// channel through its own `depth_multiplier` windows (as `DepthwiseConv2D`, channel `c *
/// depth_multiplier + m`), then a 1x1 convolution of those channels to `filters`. Inputs are
/// channels-last images `[N, H, W, C]`; outputs are `[N, H', W', filters]`.
///
/// Its weights are Keras's, in Keras's order: `depthwise_kernel` `[kernel_h, kernel_w, C,
/// depth_multiplier]`, `pointwise_kernel` `[1, 1, C * depth_multiplier, filters]` (both
/// Glorot-uniform), then `bias` `[filters]` (zeros). Inside, LibTorch's grouped convolution (one
/// group per channel) on a channels-last view, then one matrix product over the channels, as
/// Keras's torch backend.
///
/// Example: `tkeras::layers::SeparableConv2D(128, 3, {.padding = "same", .use_bias = false})`.
class SeparableConv2D : public Layer {
 public:
  /// `filters` output channels, `kernel_size` depthwise windows. Throws `tkeras::Error` for
  /// non-positive sizes or multiplier, dilation above 1 with strides above 1, an unknown padding
  /// or activation.
  SeparableConv2D(int64_t filters, Size2 kernel_size, SeparableConv2DOptions options = {});
  /// A SeparableConv2D layer from its `get_config()`: `filters`, `kernel_size`, `strides`
  /// (Default: 1), `padding` (Default: "valid"), `dilation_rate` (Default: 1), `depth_multiplier`
  /// (Default: 1), `activation` (Default: linear), `use_bias` (Default: true), `name`,
  /// `trainable`; a `data_format` other than "channels_last" is refused.
  static std::shared_ptr<SeparableConv2D> from_config(const Config& config);

  /// The number of filters (output channels).
  int64_t filters() const { return filters_; }
  /// The depthwise window's height and width.
  const Size2& kernel_size() const { return kernel_size_; }
  /// The options it was made with.
  const SeparableConv2DOptions& options() const { return options_; }
  std::string class_name() const override { return "SeparableConv2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  std::string activation() const override { return options_.activation.empty() ? "linear" : options_.activation; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t filters_;
  Size2 kernel_size_;
  SeparableConv2DOptions options_;
  activations::Function activation_;
  torch::Tensor depthwise_kernel_;
  detail::ConvertedWeight torch_kernel_;  // the kernel in LibTorch's layout, kept while not trained
  torch::Tensor pointwise_kernel_;
  torch::Tensor bias_;
  int64_t channels_ = 0;
  std::array<int64_t, 4> padding_ = {0, 0, 0, 0};  // left, right, top, bottom
};

}  // namespace tkeras::layers
