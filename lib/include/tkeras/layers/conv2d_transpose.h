// Conv2DTranspose: the transposed 2-D convolution (upsampling), as Keras's Conv2DTranspose.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// Conv2DTranspose's options, Keras's keyword arguments in Keras's order.
struct Conv2DTransposeOptions {
  Size2 strides = 1;  ///< Step between the windows on the output (the upsampling factor). Default: 1.
  /// `"valid"` (output `(input - 1) * stride + max(kernel, stride)`) or `"same"` (output `input *
  /// stride`). Default: "valid".
  std::string padding = "valid";
  /// Rows and columns added at the end of the output, each below its stride; none: Keras's sizes
  /// of `padding` above. With it, "valid" gives `(input - 1) * stride + kernel + output_padding`
  /// and "same" `(input - 1) * stride + kernel % 2 + output_padding` (kernel: its dilated span).
  /// Default: none.
  std::optional<Size2> output_padding;
  /// Spacing between a window's taps: a window of `k` taps spans `(k - 1) * dilation_rate + 1`
  /// pixels. Above 1 only with strides of 1, as in Keras. Default: 1.
  Size2 dilation_rate = 1;
  std::string activation;  ///< Activation name. Default: none (linear).
  bool use_bias = true;    ///< Add a bias per filter. Default: true.
};

/// A transposed 2-D convolution, as Keras's `Conv2DTranspose` (the upsampling of U-Nets and
/// autoencoders): each input pixel spreads its window of the kernel over the output, windows
/// `strides` apart. Inputs are channels-last images `[N, H, W, C]`; outputs are `[N, H', W',
/// filters]`, of the sizes Keras's torch backend gives (`Conv2DTransposeOptions`): LibTorch's
/// full transposed convolution, cropped (or extended with zeros) at each end as Keras crops it.
///
/// The kernel has Keras's layout `[kernel_h, kernel_w, filters, channels]`, initialised
/// Glorot-uniform; the bias `[filters]` starts at zero.
///
/// Example: `tkeras::layers::Conv2DTranspose(32, 3, {.strides = 2, .padding = "same"})` doubles
/// the height and width.
class Conv2DTranspose : public Layer {
 public:
  /// `filters` output channels, `kernel_size` windows. Throws `tkeras::Error` for non-positive
  /// sizes, an output padding negative or not below the strides, dilation above 1 with strides
  /// above 1, an unknown padding or activation.
  Conv2DTranspose(int64_t filters, Size2 kernel_size, Conv2DTransposeOptions options = {});
  /// A Conv2DTranspose layer from its `get_config()`: `filters`, `kernel_size`, `strides`
  /// (Default: 1), `padding` (Default: "valid"), `output_padding` (Default: null, none),
  /// `dilation_rate` (Default: 1), `activation` (Default: linear), `use_bias` (Default: true),
  /// `name`, `trainable`; a `data_format` other than "channels_last" is refused.
  static std::shared_ptr<Conv2DTranspose> from_config(const Config& config);

  /// The number of filters (output channels).
  int64_t filters() const { return filters_; }
  /// The window's height and width.
  const Size2& kernel_size() const { return kernel_size_; }
  /// The options it was made with.
  const Conv2DTransposeOptions& options() const { return options_; }
  std::string class_name() const override { return "Conv2DTranspose"; }
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
  Conv2DTransposeOptions options_;
  activations::Function activation_;
  torch::Tensor kernel_;
  torch::Tensor bias_;
  // Of LibTorch's full output ((input - 1) * stride + span per axis), what Keras crops from the
  // front and the back of the rows and columns; a negative back crop extends with zeros.
  std::array<int64_t, 2> crop_front_ = {0, 0};
  std::array<int64_t, 2> crop_back_ = {0, 0};
};

}  // namespace tkeras::layers
