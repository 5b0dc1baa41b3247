// Softmax: the softmax over one axis or several, as Keras's layer, with its mask.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Softmax's options, Keras's keyword arguments.
struct SoftmaxOptions {
  /// The axes normalised over, counted on the full input with its batch axis (negative from the
  /// end): one axis, or several normalised together. Default: `{-1}`, the last axis.
  std::vector<int64_t> axis = {-1};
};

/// The softmax, as Keras's `Softmax` layer: `exp(x - max) / sum(exp(x - max))` over `axis`; over
/// several axes `exp(x - logsumexp(x, axes))`, as Keras computes it. With a mask (a bool
/// `[batch, steps]` tensor that broadcasts to the inputs from the right, as Keras requires), the
/// masked positions get -1e9 before the softmax and 0 after. Has no weights; passes masks on.
///
/// Example: `tkeras::layers::Softmax({.axis = {1, 2}})`.
class Softmax : public Layer {
 public:
  /// A Softmax layer. Throws `tkeras::Error` for an empty `axis` or one axis given twice.
  explicit Softmax(SoftmaxOptions options = {});
  /// A Softmax layer from its `get_config()`: `axis` (an integer or a list of integers;
  /// Default: -1), `name`, `trainable`.
  static std::shared_ptr<Softmax> from_config(const Config& config);

  /// The options it was made with.
  const SoftmaxOptions& options() const { return options_; }
  std::string class_name() const override { return "Softmax"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask passes through, as in Keras.
  bool supports_masking() const override { return true; }
  /// `axis` as Keras writes it: an integer for one axis, a list for several.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The softmax with Keras's mask: masked positions count as -1e9 and come out 0. Throws
  /// `tkeras::Error` for a mask that does not broadcast to the inputs.
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;

 protected:
  /// Checks each axis against the rank (with the batch axis). Throws `tkeras::Error` for an
  /// axis out of range, or two that name one axis.
  Shape build_weights(const Shape& input_shape) override;

 private:
  std::vector<int64_t> axes(int64_t rank) const;
  SoftmaxOptions options_;
  bool axis_list_ = false;  // whether the config gave a list (Keras keeps [-1] a list)
};

}  // namespace tkeras::layers
