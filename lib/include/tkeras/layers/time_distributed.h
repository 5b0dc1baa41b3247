// TimeDistributed: one layer applied to every step of a sequence, as Keras's.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

namespace keras_format {
class Reader;
class Writer;
}  // namespace keras_format

/// Applies `layer` to every step of its inputs, as Keras's `TimeDistributed`: inputs `[batch,
/// steps, ...]` are `steps` inputs `[batch, ...]` of the layer, each step's output in place, so
/// that `[N, T, ...]` becomes `[N, T, <layer's output>...]`. Every step shares the layer and its
/// weights, which saved files keep under `layer` (`layer.kernel`; Keras's
/// `time_distributed/layer/vars`). The mask of the steps passes on, as in Keras; the wrapped layer
/// does not see it.
///
/// In training each step is one call of the layer, as Keras's loop over the steps (a
/// BatchNormalization inside normalises each step by its own statistics); at inference the steps
/// join the batch in one call, which computes the same values.
///
/// Example: `tkeras::layers::TimeDistributed(tkeras::layers::Conv2D(16, 3))` on video clips
/// `[N, frames, height, width, channels]`.
class TimeDistributed : public Layer {
 public:
  /// Wraps `layer`: a copy of a layer given by value, the layer itself when given by a
  /// `std::shared_ptr` (as Keras's wrapper holds the layer it is given). Throws `tkeras::Error`
  /// for a layer that takes a list of tensors (a merge).
  explicit TimeDistributed(const AnyLayer& layer);
  /// A TimeDistributed from its `get_config()` or Keras's: `layer` (the wrapped layer's serialized
  /// config, required; `custom_objects` make one tkeras cannot rebuild alone), `name`,
  /// `trainable`.
  static std::shared_ptr<TimeDistributed> from_config(const Config& config, const CustomObjects& custom_objects = {});

  /// The layer applied to each step.
  const Layer& layer() const { return *layer_; }

  std::string class_name() const override { return "TimeDistributed"; }
  /// `layer`, serialized as Keras's wrappers write it.
  Config get_config() const override;
  /// Keras's entry, the wrapped layer nested as Keras nests it.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  /// Reads Keras's entry, its wrapped layer through `reader`.
  static Config from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                           const std::string& where);
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The wrapped layer's activation, so that a loss reads its logits.
  std::string activation() const override { return layer_->activation(); }
  /// Each step through the wrapped layer without its activation.
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;
  /// True, as Keras's: the mask of the steps passes on.
  bool supports_masking() const override { return true; }
  /// Whether the wrapped layer takes integer inputs (an Embedding).
  bool takes_integer_inputs() const override { return layer_->takes_integer_inputs(); }
  /// The wrapped layer's operators on the steps joined to the batch, between two Reshapes.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Builds the wrapped layer for one step's shape. Throws `tkeras::Error` for inputs without a
  /// steps axis and a feature axis, as Keras.
  Shape build_weights(const Shape& input_shape) override;

 private:
  // `step(x)` on each step, or on the steps joined to the batch.
  torch::Tensor distribute(const torch::Tensor& inputs, bool training, bool with_activation);

  std::shared_ptr<Layer> layer_;
};

}  // namespace tkeras::layers
