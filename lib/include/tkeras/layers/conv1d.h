// Conv1D: a 1-D convolution over channels-last sequences, as Keras's Conv1D.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Conv1D's options, Keras's keyword arguments in Keras's order.
struct Conv1DOptions {
  int64_t strides = 1;  ///< Step between windows. Default: 1.
  /// `"valid"` (no padding), `"same"` (output length ceil(steps / strides), Keras's split of the
  /// padding) or `"causal"` (padding at the front only, so that output t sees inputs up to t).
  /// Default: "valid".
  std::string padding = "valid";
  int64_t dilation_rate = 1;  ///< Spacing of the window's taps. Default: 1.
  /// Channel groups: input channels and filters are split into `groups` groups, each convolved on
  /// its own; both must be divisible by it. Default: 1.
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

/// A 1-D convolution, as Keras's `Conv1D`: inputs `[N, steps, channels]` (channels-last, as in
/// Keras), outputs `[N, new_steps, filters]`.
///
/// The kernel has Keras's layout `[kernel_size, channels / groups, filters]`, initialised Glorot-uniform;
/// the bias `[filters]` starts at zero. It runs LibTorch's `conv1d` on a channels-first view.
///
/// Example: `tkeras::layers::Conv1D(32, 5, {.padding = "causal", .activation = "relu"})`.
class Conv1D : public Layer {
 public:
  /// `filters` output channels, windows of `kernel_size` steps. Throws `tkeras::Error` for
  /// non-positive sizes or groups, filters not divisible by groups, strides with dilation (both
  /// above 1, as Keras refuses), an unknown padding or activation.
  Conv1D(int64_t filters, int64_t kernel_size, Conv1DOptions options = {});
  /// A Conv1D layer from its `get_config()`: `filters`, `kernel_size`, `strides` (Default: 1),
  /// `padding` (Default: "valid"), `dilation_rate` (Default: 1), `groups` (Default: 1),
  /// `activation` (Default: linear), `use_bias` (Default: true), `name`, `trainable`. Keras writes
  /// sizes as lists of one number; both forms are read. Other values of `data_format` than
  /// "channels_last" are refused.
  static std::shared_ptr<Conv1D> from_config(const Config& config);

  /// The number of filters (output channels).
  int64_t filters() const { return filters_; }
  /// The window's length in steps.
  int64_t kernel_size() const { return kernel_size_; }
  /// The options it was made with.
  const Conv1DOptions& options() const { return options_; }
  std::string class_name() const override { return "Conv1D"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  std::string activation() const override { return options_.activation.empty() ? "linear" : options_.activation; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t filters_;
  int64_t kernel_size_;
  Conv1DOptions options_;
  activations::Function activation_;
  torch::Tensor kernel_;
  torch::Tensor bias_;
  int64_t pad_front_ = 0;
  int64_t pad_back_ = 0;
};

}  // namespace tkeras::layers
