// MultiHeadAttention: Keras's multi-head attention, with its projections as EinsumDense sublayers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tkeras/layers/einsum_dense.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// MultiHeadAttention's options, Keras's keyword arguments in Keras's order.
struct MultiHeadAttentionOptions {
  int64_t value_dim = 0;  ///< Size of each head for the value. Default: 0, meaning `key_dim`.
  double dropout = 0.0;   ///< Dropout rate on the attention scores while training. Default: 0.
  bool use_bias = true;   ///< Whether the projections have biases. Default: true.
  /// The output's last size. Default: 0, meaning the query's last size.
  int64_t output_shape = 0;
  bool use_gate = false;  ///< A sigmoid gate on the attention output, from the query. Default: false.
  /// Each query step attends only to keys within `sliding_window - 1` steps. Default: none.
  std::optional<int64_t> sliding_window;
};

/// The arguments of a symbolic MultiHeadAttention call beyond `query` and `value`, as Keras's
/// keyword arguments.
struct MultiHeadAttentionCall {
  std::optional<KerasTensor> key;             ///< The key. Default: the value.
  std::optional<KerasTensor> attention_mask;  ///< A bool mask [T, S]: true where a query may attend. Default: none.
  bool use_causal_mask = false;               ///< Each step attends only to itself and before. Default: false.
  std::optional<bool> training;               ///< Fixes the call's mode. Default: the model's.
};

/// The tensors of an eager MultiHeadAttention call beyond `query` and `value`.
struct MultiHeadAttentionTensors {
  torch::Tensor key;             ///< The key. Default: undefined, the value.
  torch::Tensor attention_mask;  ///< A bool mask [batch, T, S]. Default: undefined, none.
  bool use_causal_mask = false;  ///< Each step attends only to itself and before. Default: false.
};

/// Multi-head attention, as Keras's `MultiHeadAttention` ("Attention is all you need"): the
/// query, key and value `[batch, steps, features]` are projected to `num_heads` heads of
/// `key_dim` (the value's of `value_dim`), each query step attends to the key's steps by scaled
/// dot product, and the heads are projected back to the query's last size. Self-attention is
/// `mha(x, x)`.
///
/// Its weights are Keras's, as EinsumDense sublayers in Keras's order: `query`, `key`, (`gate`),
/// `value` (kernels `[features, heads, size]`, biases `[heads, size]`) and `attention_output`
/// (`[heads, value_dim, output]`, bias `[output]`). Masks of the query, value and key (from an
/// Embedding with `mask_zero`) restrict the attention as in Keras; the output carries the query's.
/// Like Keras's torch backend, it runs LibTorch's `scaled_dot_product_attention` unless it must
/// return the scores or apply dropout.
///
/// Example: `auto mha = std::make_shared<tkeras::layers::MultiHeadAttention>(2, 16); auto y = (*mha)(x, x);`
class MultiHeadAttention : public Layer {
 public:
  /// Attention of `num_heads` heads of `key_dim`. Throws `tkeras::Error` for non-positive sizes or
  /// a dropout outside [0, 1).
  MultiHeadAttention(int64_t num_heads, int64_t key_dim, MultiHeadAttentionOptions options = {});
  /// A MultiHeadAttention layer from its `get_config()`: `num_heads`, `key_dim`, `value_dim`
  /// (Default: key_dim), `dropout` (Default: 0), `use_bias` (Default: true), `output_shape`
  /// (Default: null), `use_gate` (Default: false), `attention_axes` (Default: null, the steps;
  /// only those), `sliding_window` (Default: null), `name`, `trainable`.
  static std::shared_ptr<MultiHeadAttention> from_config(const Config& config);

  using Layer::operator();
  /// The symbolic call `layer(query, value, key=..., attention_mask=..., use_causal_mask=...)`.
  KerasTensor operator()(const KerasTensor& query, const KerasTensor& value, const MultiHeadAttentionCall& call = {});
  /// The same call with `return_attention_scores=True`: the output and the scores `[heads, T, S]`.
  std::pair<KerasTensor, KerasTensor> call_with_scores(const KerasTensor& query, const KerasTensor& value,
                                                       const MultiHeadAttentionCall& call = {});
  /// The eager call on tensors, building the layer on first use: the output and the attention
  /// scores `[batch, heads, T, S]` (computed only when `scores` is true; else undefined).
  std::pair<torch::Tensor, torch::Tensor> attend(const torch::Tensor& query, const torch::Tensor& value,
                                                 const MultiHeadAttentionTensors& tensors = {}, bool training = false,
                                                 bool scores = false);

  int64_t num_heads() const { return num_heads_; }  ///< The number of heads.
  int64_t key_dim() const { return key_dim_; }      ///< The size of each head for query and key.
  /// The options it was made with.
  const MultiHeadAttentionOptions& options() const { return options_; }
  std::string class_name() const override { return "MultiHeadAttention"; }
  bool takes_list() const override { return true; }
  /// True: the output carries the query's mask, as in Keras.
  bool supports_masking() const override { return true; }
  CallSignature call_signature() const override;
  Config get_config() const override;
  /// Throws `tkeras::Error`: MultiHeadAttention takes a query and a value.
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const Node& node,
                                                                 const std::vector<torch::Tensor>& inputs,
                                                                 const std::vector<torch::Tensor>& masks,
                                                                 bool training) override;
  io::onnx::Value to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                               const std::vector<io::onnx::Value>& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;
  Shape build_list_weights(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) override;

 private:
  struct Inputs;
  std::pair<torch::Tensor, torch::Tensor> compute(const Inputs& in, bool training, bool scores);

  int64_t num_heads_;
  int64_t key_dim_;
  MultiHeadAttentionOptions options_;
  std::shared_ptr<EinsumDense> query_, key_, value_, output_, gate_;
};

}  // namespace tkeras::layers
