// Bidirectional: a recurrent layer run both ways over the steps, as Keras's Bidirectional.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/layer.h"
#include "tkeras/layers/recurrent.h"

namespace tkeras::layers {

namespace keras_format {
class Reader;
class Writer;
}  // namespace keras_format

/// Bidirectional's options, Keras's keyword arguments.
struct BidirectionalOptions {
  /// How the two directions' outputs combine: `"concat"` (along the last axis, forward first),
  /// `"sum"`, `"ave"` or `"mul"`. Default: "concat". (Keras's `None`, a list of both outputs, has
  /// no place in a Sequential model.)
  std::string merge_mode = "concat";
};

/// Runs a recurrent layer forwards and a copy of it backwards over the same inputs and merges
/// their outputs, as Keras's `Bidirectional`. The two layers are made from `layer`'s config, as
/// Keras makes them: `forward_<name>`, and `backward_<name>` with `go_backwards` switched, each
/// with its own weights (`forward_layer.kernel`, ... `backward_layer.bias` in saved files). With
/// `return_sequences`, the backward outputs are put back in the inputs' order before merging, and
/// masked steps output zeros, as in Keras.
///
/// Example: `tkeras::layers::Bidirectional(tkeras::layers::LSTM(64, {.return_sequences = true}))`.
class Bidirectional : public Layer {
 public:
  /// Wraps `layer`, a `SimpleRNN`, `LSTM` or `GRU`. Throws `tkeras::Error` for another layer or
  /// an unknown merge mode.
  explicit Bidirectional(const AnyLayer& layer, BidirectionalOptions options = {});
  /// A Bidirectional layer from its `get_config()`: `layer` (the forward layer's serialized
  /// config), `backward_layer` (Default: the forward layer's, going backwards), `merge_mode`
  /// (Default: "concat"), `name`, `trainable`.
  static std::shared_ptr<Bidirectional> from_config(const Config& config);

  /// The layer that runs first to last.
  const Recurrent& forward_layer() const { return *forward_; }
  /// The layer that runs last to first.
  const Recurrent& backward_layer() const { return *backward_; }
  /// How the outputs combine.
  const std::string& merge_mode() const { return options_.merge_mode; }

  std::string class_name() const override { return "Bidirectional"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  /// Keras's entry, its forward and backward layers nested as Keras nests them.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  /// Reads Keras's entry, its nested layers through `reader`.
  static Config from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                           const std::string& where);
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;
  /// True: both directions read the mask.
  bool supports_masking() const override { return true; }
  /// The mask with `return_sequences`, else none, as Keras's Bidirectional.
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Bidirectional(std::shared_ptr<Recurrent> forward, std::shared_ptr<Recurrent> backward, BidirectionalOptions options);

  std::shared_ptr<Recurrent> forward_;
  std::shared_ptr<Recurrent> backward_;
  BidirectionalOptions options_;
};

}  // namespace tkeras::layers
