// Embedding: turns token ids into dense vectors, as Keras's Embedding.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Embedding's options, Keras's keyword arguments.
struct EmbeddingOptions {
  /// Whether id 0 is padding: the layer then computes a mask (`inputs != 0`) that the recurrent
  /// layers and `GlobalAveragePooling1D` after it honour, as in Keras. Default: false.
  bool mask_zero = false;
  /// What draws the table. Default: `uniform` (U(-0.05, 0.05)), as Keras's.
  initializers::Identifier embeddings_initializer = "uniform";
  regularizers::Identifier embeddings_regularizer;  ///< The table's penalty. Default: none.
  regularizers::Identifier activity_regularizer;    ///< The outputs' penalty (Keras's). Default: none.
  constraints::Identifier embeddings_constraint;    ///< The table's constraint. Default: none.
};

/// Looks up one row of a `[input_dim, output_dim]` table per token id, as Keras's `Embedding`:
/// inputs `[N, ...]` of integer ids in `[0, input_dim)` give outputs `[N, ..., output_dim]`.
/// The table is the weight `embeddings`, drawn by `embeddings_initializer` (uniform in [-0.05, 0.05],
/// as in Keras); the
/// lookup is LibTorch's `embedding` kernel.
///
/// Token ids stay integers: `fit`, `evaluate` and `predict` pass an integer `x` to a model that
/// starts with an Embedding unchanged (floating-point ids are truncated to integers, as Keras
/// casts them). An id outside `[0, input_dim)` throws `tkeras::Error` naming it and `input_dim`
/// (a check that reads the smallest and largest id of each batch; it is skipped while a CUDA graph
/// is being captured).
///
/// Example: `tkeras::layers::Embedding(10000, 16, {.mask_zero = true})`.
class Embedding : public Layer {
 public:
  /// A table for `input_dim` ids (the vocabulary size) of `output_dim` values each. Throws
  /// `tkeras::Error` for a non-positive size.
  Embedding(int64_t input_dim, int64_t output_dim, EmbeddingOptions options = {});
  /// An Embedding from its `get_config()`: `input_dim`, `output_dim`, `mask_zero` (Default:
  /// false), `name`, `trainable`. Keras's deprecated `input_length` is accepted and ignored, as
  /// Keras 3 does.
  static std::shared_ptr<Embedding> from_config(const Config& config);

  /// The number of ids (the vocabulary size).
  int64_t input_dim() const { return input_dim_; }
  /// The length of each vector.
  int64_t output_dim() const { return output_dim_; }
  /// Whether id 0 is masked padding.
  bool mask_zero() const { return options_.mask_zero; }

  std::string class_name() const override { return "Embedding"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// True when `mask_zero`, as Keras's Embedding.
  bool supports_masking() const override { return options_.mask_zero; }
  /// `inputs != 0` when `mask_zero`, else undefined (a mask coming in ends here, as in Keras).
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;
  /// True: token ids are passed as they are.
  bool takes_integer_inputs() const override { return true; }

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  torch::Tensor ids(const torch::Tensor& inputs) const;

  int64_t input_dim_;
  int64_t output_dim_;
  EmbeddingOptions options_;
  torch::Tensor embeddings_;
};

}  // namespace tkeras::layers
