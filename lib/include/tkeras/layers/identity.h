// Identity: the inputs passed on unchanged, as Keras's.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Returns its inputs unchanged, as Keras's `Identity`: a placeholder where a model has no
/// operation to perform. Any shape; passes the mask on; no weights.
class Identity : public Layer {
 public:
  Identity();
  /// An Identity from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Identity> from_config(const Config& config);

  std::string class_name() const override { return "Identity"; }
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// True, as Keras's: the mask passes through.
  bool supports_masking() const override { return true; }
  /// ONNX's Identity.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;
};

}  // namespace tkeras::layers
