// Input: declares the shape of one sample, so the model is built before it sees data.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

namespace keras_format {
class Reader;
}

/// The shape of one input sample, without the batch axis, as Keras's `Input(shape=...)`.
///
/// As the first entry of a `Sequential` it builds the model at once, so `summary()` works
/// before `fit`, and data of another shape is refused with a clear error. Without it the
/// model takes its input shape from the data at the first `fit`, `evaluate` or `predict`.
///
/// Example: `tkeras::layers::Input({28, 28})` for 28x28 images.
class Input : public Layer {
 public:
  /// An input of `shape` (every size positive), named and typed by `options` (as `tkeras::Input`'s).
  explicit Input(Shape shape, const InputOptions& options = {});
  /// The call that makes `input`'s symbolic tensor (`tkeras::Input`): recorded once, and kept by
  /// the tensors (internal).
  static std::shared_ptr<const Node> input_node(const std::shared_ptr<Input>& input);
  /// An Input from Keras's InputLayer config: `batch_shape` (`[null, 28, 28]`), `name`.
  static std::shared_ptr<Input> from_config(const Config& config);
  /// The entry a model's config lists first for inputs of `shape` (without the batch axis):
  /// `{"class_name": "InputLayer", "config": {"batch_shape": [null, ...]}}`.
  static Config entry_for(const Shape& shape);
  /// Whether a model config's `entry` is an InputLayer's.
  static bool is_entry(const Config& entry);
  /// Reads Keras's InputLayer entry: its dtype may be float32, an integer type or a string (a
  /// model that starts with TextVectorization).
  static Config from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                           const std::string& where);

  /// The declared shape.
  const Shape& shape() const { return shape_; }
  /// The declared dtype's name: `float32`, `int32`, `int64`... Default: `float32`.
  const std::string& dtype() const { return dtype_; }
  std::string class_name() const override { return "InputLayer"; }
  /// `{"name", "batch_shape": [null, ...]}`, as Keras's InputLayer.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Shape shape_;
  std::string dtype_;
};

}  // namespace tkeras::layers
