// Dense: the fully connected layer, outputs = activation(inputs . kernel + bias).
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The keyword arguments of `Dense`, as Keras's.
struct DenseOptions {
  bool use_bias = true;  ///< Whether the layer adds a bias. Default: true.
  /// What draws the kernel. Default: `glorot_uniform`.
  initializers::Identifier kernel_initializer = "glorot_uniform";
  initializers::Identifier bias_initializer = "zeros";  ///< What draws the bias. Default: `zeros`.
  regularizers::Identifier kernel_regularizer;          ///< The kernel's penalty. Default: none.
  regularizers::Identifier bias_regularizer;            ///< The bias's penalty. Default: none.
  regularizers::Identifier activity_regularizer;        ///< The outputs' penalty (Keras's). Default: none.
  constraints::Identifier kernel_constraint;            ///< The kernel's constraint. Default: none.
  constraints::Identifier bias_constraint;              ///< The bias's constraint. Default: none.
  std::string name;                                     ///< The layer's name. Default: Keras's `dense`, `dense_1`...
};

/// A fully connected layer, as Keras's `Dense`: `activation(matmul(inputs, kernel) + bias)`.
///
/// The input width is inferred when the layer is built. The kernel has Keras's layout,
/// `[input_features, units]`, drawn by `kernel_initializer` (Glorot-uniform); the bias `[units]`
/// by `bias_initializer` (zeros). Regularizers and constraints are Keras's: `fit` adds the
/// penalties to the loss and applies the constraints after each update.
/// Its memory is laid out as `torch::nn::Linear`'s weight, `[units, input_features]` (so the
/// tensor is not contiguous), which LibTorch multiplies by faster; `get_weights` gives
/// contiguous copies, and the files hold Keras's layout.
/// Both are the module's parameters `kernel` and `bias`. On inputs of more than two axes it acts
/// on the last one, as in Keras.
///
/// Example:
/// ```
/// tkeras::layers::Dense(128, "relu");    // a hidden layer
/// tkeras::layers::Dense(10, "softmax");  // the output layer: one unit per class
/// ```
class Dense : public Layer {
 public:
  /// A layer of `units` outputs (positive). `activation`: a name from
  /// `tkeras::activations::names()`; Default: none (linear). `use_bias`: Default: true.
  /// Throws `tkeras::Error` for a non-positive `units` or an unknown activation.
  explicit Dense(int64_t units, std::string_view activation = "", bool use_bias = true);
  /// A layer of `units` outputs with `activation` and `options`:
  /// `Dense(10, "softmax", {.name = "label"})`.
  Dense(int64_t units, std::string_view activation, const DenseOptions& options);
  /// A linear layer of `units` outputs with `options`: `Dense(1, {.name = "size"})`.
  Dense(int64_t units, const DenseOptions& options) : Dense(units, "", options) {}
  /// A Dense layer from its `get_config()` (Keras's `Dense.from_config`): `units`, `activation`
  /// (Default: linear), `use_bias` (Default: true), the kernel's and bias's initializers,
  /// regularizers and constraints, `name`, `trainable`.
  static std::shared_ptr<Dense> from_config(const Config& config);

  /// The number of outputs.
  int64_t units() const { return units_; }
  /// Whether the layer adds a bias.
  bool use_bias() const { return options_.use_bias; }
  /// The options (initializers, regularizers, constraints).
  const DenseOptions& options() const { return options_; }

  std::string class_name() const override { return "Dense"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  std::string activation() const override { return activation_name_; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t units_;
  std::string activation_name_;
  activations::Function activation_;
  DenseOptions options_;
  torch::Tensor kernel_;
  torch::Tensor bias_;
};

}  // namespace tkeras::layers
