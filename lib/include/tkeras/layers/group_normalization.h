// GroupNormalization: normalises each sample over groups of its channels, as Keras's.
#pragma once

#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// GroupNormalization's options, Keras's keyword arguments in Keras's order (its initializers are
/// Keras's defaults: `gamma` ones, `beta` zeros).
struct GroupNormalizationOptions {
  /// The number of groups the channels are split into; -1 for one channel a group (instance
  /// normalization). It must divide the channels. Default: 32.
  int64_t groups = 32;
  /// The channel axis, as Keras counts it (with the batch axis; negative from the end). Default: -1.
  int64_t axis = -1;
  double epsilon = 1e-3;  ///< Added to the variance. Default: 0.001.
  bool center = true;     ///< Add the trainable offset `beta`. Default: true.
  bool scale = true;      ///< Multiply by the trainable `gamma`. Default: true.
};

/// Normalises each sample over each group of channels (with all the other axes of the sample), as
/// Keras's `GroupNormalization` (Wu et al., 2018): the mean and the variance (`E[x^2] - E[x]^2`, as
/// Keras's `moments`) of each group, the same in `fit` and `predict`; then per channel `gamma` and
/// `beta`. Weights: `gamma` (if `scale`) then `beta` (if `center`), one value per channel. With
/// `groups` 1 it is a LayerNormalization over the whole sample with per-channel weights; with
/// -1, instance normalization. The mask of the inputs' time steps passes through, as in Keras.
///
/// Example: `tkeras::layers::GroupNormalization({.groups = 8})` after a Conv2D of 32 filters.
class GroupNormalization : public Layer {
 public:
  /// Throws `tkeras::Error` for `groups` neither positive nor -1, or a negative epsilon.
  explicit GroupNormalization(GroupNormalizationOptions options = {});
  /// A GroupNormalization layer from its `get_config()`: `groups` (Default: 32), `axis` (Default:
  /// -1), `epsilon` (Default: 0.001), `center` (Default: true), `scale` (Default: true), `name`,
  /// `trainable`.
  static std::shared_ptr<GroupNormalization> from_config(const Config& config);

  /// The options it was made with; once built, `groups` -1 reads as the number of channels, as in
  /// Keras.
  const GroupNormalizationOptions& options() const { return options_; }
  std::string class_name() const override { return "GroupNormalization"; }
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The normalisation as ONNX's Reshape, ReduceMean, Sub, Mul, Sqrt and Div (ONNX's own
  /// GroupNormalization needs opset 18).
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error` for an axis outside the input or the batch axis, and for more groups
  /// than channels or groups that do not divide the channels.
  Shape build_weights(const Shape& input_shape) override;

 private:
  GroupNormalizationOptions options_;
  int64_t channel_axis_ = 0;        // the channel axis, counted from the batch axis (0)
  std::vector<int64_t> grouped_;    // the inputs' shape with the groups split off, batch as -1
  std::vector<int64_t> reduced_;    // the grouped axes each group's statistics cover
  std::vector<int64_t> broadcast_;  // gamma's and beta's shape as the grouped inputs broadcast them
  torch::Tensor gamma_;
  torch::Tensor beta_;
};

}  // namespace tkeras::layers
