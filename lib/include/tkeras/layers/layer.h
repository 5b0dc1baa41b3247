// Layer: the base of every tkeras layer, and AnyLayer, the handle Sequential takes.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/shape.h"

namespace tkeras::layers {

/// One weight of a layer, as an entry of Keras's `layer.weights`.
struct Weight {
  std::string name;       ///< The weight's name within its layer: `kernel`, `bias`.
  torch::Tensor value;    ///< The tensor; trainable weights require grad.
  bool trainable = true;  ///< Whether the optimizer updates it. Default: true.
};

/// The base class of all layers.
///
/// A layer is first a specification (`Dense(128, "relu")`): building it for an input shape
/// creates its weights, so shapes are inferred and no layer asks for its input width. A
/// layer gets a unique Keras-style name when constructed: `dense`, `dense_1`, `flatten`...
///
/// To write a layer, derive from it, implement `class_name`, `build_weights` (create weights
/// with `add_weight` and return the output shape) and `call`.
class Layer {
 public:
  virtual ~Layer() = default;

  /// The layer's unique name, as Keras's: the snake_case type with a counter (`dense_1`).
  const std::string& name() const { return name_; }
  /// The layer's type as Keras prints it in `summary()`: `Dense`, `Flatten`...
  virtual std::string class_name() const = 0;

  /// Whether `build` has run.
  bool built() const { return built_; }
  /// The input shape the layer was built for, without the batch axis. Throws if not built.
  const Shape& input_shape() const;
  /// The output shape, without the batch axis. Throws if not built.
  const Shape& output_shape() const;

  /// Creates the weights for inputs of `input_shape` (without the batch axis) on `device` and
  /// returns the output shape. Building an already built layer for the same shape does
  /// nothing; for another shape it throws `tkeras::Error`.
  Shape build(const Shape& input_shape, torch::Device device = torch::kCPU);

  /// The forward pass on a batch. `training` is true inside `fit` (for layers such as Dropout
  /// that behave differently). Default: false.
  torch::Tensor operator()(const torch::Tensor& inputs, bool training = false) { return call(inputs, training); }
  /// The forward pass on a batch; the layer must be built.
  virtual torch::Tensor call(const torch::Tensor& inputs, bool training) = 0;

  /// The name of the activation the layer applies last (`linear` when none). Losses use it to
  /// compute cross-entropy from logits, stably, when a layer ends in softmax or sigmoid.
  virtual std::string activation() const { return "linear"; }
  /// The forward pass without the final activation (the logits). Default: `call`.
  virtual torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) {
    return call(inputs, training);
  }

  /// All weights, trainable and not, in creation order.
  const std::vector<Weight>& weights() const { return weights_; }
  /// The weights the optimizer updates.
  std::vector<torch::Tensor> trainable_weights() const;
  /// The number of scalars in all weights.
  int64_t count_params() const;
  /// Moves the weights to `device` in place, keeping their identity (an optimizer that holds
  /// them keeps working).
  void to(torch::Device device);

 protected:
  /// Gives the layer a unique name built from `prefix` (`dense` -> `dense`, `dense_1`...).
  explicit Layer(std::string_view prefix);

  /// Creates the weights for `input_shape` and returns the output shape.
  virtual Shape build_weights(const Shape& input_shape) = 0;

  /// Creates a weight on the layer's device and returns it. `initial_value` is moved to the
  /// device and becomes the weight.
  torch::Tensor add_weight(std::string name, torch::Tensor initial_value, bool trainable = true);

  /// The device the layer is built on.
  torch::Device device() const { return device_; }

 private:
  std::string name_;
  bool built_ = false;
  Shape input_shape_;
  Shape output_shape_;
  std::vector<Weight> weights_;
  torch::Device device_ = torch::kCPU;
};

/// A handle to a layer, so that `Sequential` takes a braced list of different layer types:
/// `Sequential({layers::Flatten(), layers::Dense(10)})`.
///
/// Made from a layer value it holds its own copy; made from a `std::shared_ptr` it shares the
/// layer, so the caller can inspect it after training.
class AnyLayer {
 public:
  /// Holds a copy of `layer`.
  template <std::derived_from<Layer> L>
  AnyLayer(L layer) : layer_(std::make_shared<L>(std::move(layer))) {}  // NOLINT: implicit by design
  /// Shares `layer`.
  template <std::derived_from<Layer> L>
  AnyLayer(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}  // NOLINT: implicit by design

  /// The layer.
  const std::shared_ptr<Layer>& get() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

}  // namespace tkeras::layers
