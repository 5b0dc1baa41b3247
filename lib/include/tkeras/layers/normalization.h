// Normalization: shifts and scales inputs to mean 0 and variance 1, with statistics from adapt().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <torch/types.h>

#include "tkeras/data/dataset.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The options of `Normalization`, Keras's, in Keras's order.
struct NormalizationOptions {
  /// The axes that keep their own mean and variance, counted as Keras counts them (the batch is
  /// axis 0; -1 is the last): the default gives one mean per feature or channel. Empty: one mean
  /// for everything (Keras's `axis=None`). Default: {-1}.
  std::vector<int64_t> axis = {-1};
  /// A mean to use instead of `adapt`'s (one number, or one per kept position). Default: none.
  std::optional<std::vector<double>> mean;
  /// The variance that goes with `mean`. Default: none.
  std::optional<std::vector<double>> variance;
  /// Apply the inverse, `x * sqrt(variance) + mean`, as Keras's `invert`. Default: false.
  bool invert = false;
};

/// Normalizes inputs as Keras's `Normalization`: `(x - mean) / max(sqrt(variance), 1e-7)`, with the
/// mean and variance given or computed by `adapt` over the data (over every axis but `axis`). The
/// statistics are non-trainable weights named `mean`, `variance` and `count` (Keras's), saved with
/// the model; given ones are saved in the config.
///
/// Example:
/// ```
/// auto norm = std::make_shared<tkeras::layers::Normalization>();
/// norm->adapt(x_train);                      // or a dataset of (x, y) batches
/// tkeras::Sequential model({tkeras::layers::Input({9}), norm, tkeras::layers::Dense(1)});
/// ```
class Normalization : public Layer {
 public:
  /// A Normalization with `options`. Throws `tkeras::Error` when only one of mean and variance
  /// is given, or they differ in length.
  explicit Normalization(NormalizationOptions options = {});
  /// A Normalization from its `get_config()`: `axis`, `mean`, `variance`, `invert`, `name`,
  /// `trainable`.
  static std::shared_ptr<Normalization> from_config(const Config& config);

  /// Computes the mean and variance of `data` (`[N, ...]`), building the layer from its shape if
  /// needed. Throws `tkeras::Error` for data of another shape than the layer's input, or when
  /// the layer was given its mean and variance.
  void adapt(const torch::Tensor& data);
  /// The same over a dataset's batches (their `x`), combined as Keras combines them.
  void adapt(const data::Dataset& dataset);

  std::string class_name() const override { return "Normalization"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  // The sample axes (without the batch) that keep their statistics, and those reduced.
  std::vector<int64_t> keep_axes(const Shape& sample_shape) const;
  std::vector<int64_t> reduce_dims(int64_t rank) const;
  void assign(const torch::Tensor& mean, const torch::Tensor& variance);

  NormalizationOptions options_;
  std::vector<int64_t> kept_;         // sample axes kept (0-based, without the batch)
  std::vector<int64_t> stats_shape_;  // the mean's and variance's shape
  std::vector<int64_t> broadcast_;    // their shape against a batch
  torch::Tensor mean_, variance_, count_;
};

}  // namespace tkeras::layers
