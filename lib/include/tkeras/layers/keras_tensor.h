// KerasTensor, Node and Input: the symbolic tensors a Functional model is drawn with, as Keras's.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"

namespace tkeras {

namespace layers {
class Layer;
struct Node;
}  // namespace layers

/// A symbolic tensor, as Keras's `KerasTensor`: the shape (and dtype) of what a layer call will
/// produce, and no data. `tkeras::Input` makes one; calling a layer on one records the call as a
/// `layers::Node` and returns the node's outputs, so that a `Model(inputs, outputs)` can run the
/// calls again on data. Copies refer to the same tensor.
class KerasTensor {
 public:
  /// The `tensor_index`-th output of `node` (internal: made by `tkeras::Input` and layer calls).
  KerasTensor(std::shared_ptr<const layers::Node> node, int tensor_index);

  /// The shape of one sample, without the batch axis: `{28, 28, 1}` for Keras's `(None, 28, 28, 1)`.
  const Shape& shape() const;
  /// The dtype's name: an Input's declared one (`float32`, `int32`...), `float32` for layer outputs.
  const std::string& dtype() const;
  /// The layer whose call made the tensor (an `InputLayer` for `tkeras::Input`), as Keras's
  /// `tensor._keras_history.operation`.
  const std::shared_ptr<layers::Layer>& layer() const;
  /// The call of `layer()` that made it.
  const std::shared_ptr<const layers::Node>& node() const { return node_; }
  /// Which call of the layer made it (its index among the layer's calls), as Keras's `node_index`.
  int node_index() const;
  /// Which of the call's outputs it is, as Keras's `tensor_index`: 0 for a one-output layer.
  int tensor_index() const { return tensor_index_; }

  /// Whether two handles refer to the same symbolic tensor.
  friend bool operator==(const KerasTensor& a, const KerasTensor& b) {
    return a.node_ == b.node_ && a.tensor_index_ == b.tensor_index_;
  }

 private:
  std::shared_ptr<const layers::Node> node_;
  int tensor_index_ = 0;
};

/// One symbolic tensor or several, in order, as a Functional model's inputs and outputs are given:
/// `Model(image, label)` or `Model({image, meta}, {label, size})`. It remembers which: Keras writes
/// a model of one tensor and a model of a list of one differently, and `predict` answers in kind.
class KerasTensors : public std::vector<KerasTensor> {
 public:
  /// None.
  KerasTensors() = default;
  /// One tensor, given alone.
  KerasTensors(KerasTensor tensor)  // NOLINT: implicit, so that a model takes one tensor or a list
      : std::vector<KerasTensor>{std::move(tensor)}, single_(true) {}
  /// A list of tensors.
  KerasTensors(std::initializer_list<KerasTensor> tensors) : std::vector<KerasTensor>(tensors) {}
  /// A list of tensors.
  KerasTensors(std::vector<KerasTensor> tensors)  // NOLINT: implicit, as above
      : std::vector<KerasTensor>(std::move(tensors)) {}

  /// Whether one tensor was given alone rather than in a list.
  bool single() const { return single_; }

 private:
  bool single_ = false;
};

/// The keyword arguments of a symbolic layer call, as Keras's `layer(x, training=...)`.
struct CallOptions {
  /// Runs the layer in this mode whatever mode the model is in, as Keras's
  /// `base_model(x, training=False)` that keeps a pretrained base's BatchNormalization in
  /// inference. Default: the model's mode.
  std::optional<bool> training;
  /// The call's other keyword arguments that are not tensors, as Keras writes them in a node's
  /// `kwargs` (MultiHeadAttention's `use_causal_mask`); a layer names those it takes in its
  /// `call_signature()`. Layers with such arguments give typed calls that fill it. Default: none.
  Config arguments = Config::object();
};

/// The options of `tkeras::Input`, as Keras's `keras.Input` keyword arguments.
struct InputOptions {
  /// The input's name, as the model's data is keyed by it. Default: Keras's `input_layer`,
  /// `input_layer_1`...
  std::string name;
  /// The dtype the model takes: `float32`, or an integer type (`int32`, `int64`) for token ids.
  /// Default: `float32`.
  std::string dtype = "float32";
};

/// A symbolic input of `shape` (one sample, without the batch axis, every size positive), as
/// Keras's `keras.Input`: the start of a Functional model.
///
/// Example:
/// ```
/// tkeras::KerasTensor image = tkeras::Input({28, 28, 1}, {.name = "image"});
/// ```
// NOLINTNEXTLINE(readability-identifier-naming): Keras's name, keras.Input
KerasTensor Input(const Shape& shape, const InputOptions& options = {});

namespace layers {

/// One call of a layer on symbolic tensors, as Keras's `Node`: the layer, the tensors it took and
/// the shapes of what it made. The outputs are `KerasTensor(node, i)`.
struct Node {
  std::shared_ptr<Layer> layer;     ///< The layer called.
  std::vector<KerasTensor> inputs;  ///< What it was called on; none for an Input's node.
  bool list = false;                ///< Whether it was called on a list (a merge layer).
  std::optional<bool> training;     ///< The call's `training`, when it fixed one.
  /// The call's other keyword arguments (`CallOptions::arguments`); for a layer that names its
  /// tensor arguments (`query`, `value`...), `inputs` lists the name of each input in order.
  Config arguments = Config::object();
  std::vector<Shape> output_shapes;        ///< The shapes of its outputs, without the batch axis.
  std::vector<std::string> output_dtypes;  ///< Their dtypes' names.
  int index = 0;                           ///< Its position among the layer's calls (`node_index`).
  /// How many layer calls have read its outputs so far (a graph uses it to tell an input some
  /// layer reads from one nothing reads).
  mutable int readers = 0;

  /// Whether it is an Input's node (no inputs).
  bool is_input() const { return inputs.empty(); }
};

}  // namespace layers

}  // namespace tkeras
