// Conv2D: a 2-D convolution over channels-last images, as Keras's Conv2D.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// Conv2D's options, Keras's keyword arguments in Keras's order.
struct Conv2DOptions {
  Size2 strides = 1;  ///< Step between windows. Default: 1.
  std::string padding =
      "valid";  ///< `"valid"` (no padding) or `"same"` (output size ceil(input / stride)). Default: "valid".
  /// Spacing between a window's taps: a window of `k` taps spans `(k - 1) * dilation_rate + 1`
  /// pixels. Above 1 only with strides of 1, as in Keras. Default: 1.
  Size2 dilation_rate = 1;
  /// Channel groups: input channels and filters are split into `groups` groups, each convolved on
  /// its own (ConvNeXt's depthwise convolution is `groups` = channels). Both must be divisible by
  /// it. Default: 1.
  int64_t groups = 1;
  std::string activation;  ///< Activation name. Default: none (linear).
  bool use_bias = true;    ///< Add a bias per filter. Default: true.
  /// What draws the kernel. Default: `glorot_uniform`.
  initializers::Identifier kernel_initializer = "glorot_uniform";
  initializers::Identifier bias_initializer = "zeros";  ///< What draws the bias. Default: `zeros`.
  regularizers::Identifier kernel_regularizer;          ///< The kernel's penalty. Default: none.
  regularizers::Identifier bias_regularizer;            ///< The bias's penalty. Default: none.
  regularizers::Identifier activity_regularizer;        ///< The outputs' penalty (Keras's). Default: none.
  constraints::Identifier kernel_constraint;            ///< The kernel's constraint. Default: none.
  constraints::Identifier bias_constraint;              ///< The bias's constraint. Default: none.
};

/// A 2-D convolution, as Keras's `Conv2D`. Inputs are channels-last images `[N, H, W, C]`
/// (`[N, H, W]` is refused, as in Keras: add the channel axis with `Reshape({H, W, 1})`);
/// outputs are `[N, H', W', filters]`.
///
/// The kernel has Keras's layout `[kernel_h, kernel_w, channels / groups, filters]`, drawn by
/// `kernel_initializer` (Glorot-uniform); the bias `[filters]` by `bias_initializer` (zeros). Filter `f` sees the input
/// channels of its group, `f / (filters / groups)`. Inside, LibTorch's (grouped, dilated) convolution runs on a
/// channels-last view of the same memory, so the layout change costs no copy.
///
/// Example: `tkeras::layers::Conv2D(64, 3, {.activation = "relu"})`; ConvNeXt's depthwise
/// convolution of 96 channels: `tkeras::layers::Conv2D(96, 7, {.padding = "same", .groups = 96})`.
class Conv2D : public Layer {
 public:
  /// `filters` output channels, `kernel_size` windows. Throws `tkeras::Error` for non-positive
  /// sizes or groups, filters not divisible by groups, dilation above 1 with strides above 1, an
  /// unknown padding or activation.
  Conv2D(int64_t filters, Size2 kernel_size, Conv2DOptions options = {});
  /// A Conv2D layer from its `get_config()`: `filters`, `kernel_size`, `strides` (Default: 1),
  /// `padding` (Default: "valid"), `dilation_rate` (Default: 1), `groups` (Default: 1),
  /// `activation` (Default: linear), `use_bias` (Default: true), `name`, `trainable`.
  static std::shared_ptr<Conv2D> from_config(const Config& config);

  /// The number of filters (output channels).
  int64_t filters() const { return filters_; }
  /// The window's height and width.
  const Size2& kernel_size() const { return kernel_size_; }
  /// The options it was made with.
  const Conv2DOptions& options() const { return options_; }
  std::string class_name() const override { return "Conv2D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  std::string activation() const override { return options_.activation.empty() ? "linear" : options_.activation; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  /// Checks the input channels against `groups`, as Keras's build.
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t filters_;
  Size2 kernel_size_;
  Conv2DOptions options_;
  activations::Function activation_;
  torch::Tensor kernel_;
  detail::ConvertedWeight torch_kernel_;  // the kernel in LibTorch's layout, kept while not trained
  torch::Tensor bias_;
  std::array<int64_t, 4> padding_ = {0, 0, 0, 0};  // left, right, top, bottom
};

}  // namespace tkeras::layers
