// Attention: Keras's dot-product (Luong) and concat (Bahdanau-style) attention of a query over a value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Generator.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Attention's options, Keras's keyword arguments in Keras's order.
struct AttentionOptions {
  /// A learned scalar `scale` multiplies the scores (inside the tanh for `"concat"`). Default: false.
  bool use_scale = false;
  /// `"dot"` (the query-key dot product) or `"concat"` (the sum over features of `tanh(query +
  /// key)`, times a learned scalar). Default: `"dot"`.
  std::string score_mode = "dot";
  double dropout = 0.0;          ///< Dropout rate on the attention weights while training. Default: 0.
  std::optional<uint64_t> seed;  ///< The seed of the dropout's own generator. Default: none (LibTorch's).
  std::string name;              ///< The layer's name. Default: `attention`, `attention_1`...
};

/// The keyword arguments of a symbolic Attention call, as Keras's.
struct AttentionCall {
  /// Each query step attends only to the value steps up to its own. Default: false.
  bool use_causal_mask = false;
  std::optional<bool> training;  ///< Fixes the call's mode. Default: the model's.
};

/// Dot-product attention, as Keras's `Attention` (Luong-style): called on a list of a query
/// `[batch, Tq, dim]`, a value `[batch, Tv, dim]` and optionally a key of the value's shape (by
/// default the value), the scores (the query-key dot product, or with the "concat" score mode the
/// sum over features of tanh of query plus key) go through a softmax over the value's steps and
/// weigh the value: the output is `[batch, Tq, value dim]`. Masks from an `Embedding(mask_zero)`
/// work as Keras's: the value's mask keeps padded steps out of the softmax (their scores lowered
/// by 1e9), the query's zeroes the output at padded steps and passes on. Weights, as Keras's:
/// `scale` (with `use_scale`) and
/// `concat_score_weight` (with `"concat"`), both scalars starting at 1.
///
/// Example:
/// ```
/// auto attention = std::make_shared<tkeras::layers::Attention>();
/// tkeras::KerasTensor context = (*attention)({query, value});
/// auto [output, scores] = attention->call_with_scores({query, value}, {.use_causal_mask = true});
/// ```
class Attention : public Layer {
 public:
  /// Throws `tkeras::Error` for a `score_mode` other than `"dot"` and `"concat"`, or a dropout
  /// outside [0, 1).
  explicit Attention(AttentionOptions options = {});
  /// An Attention layer from its `get_config()` or Keras's: `use_scale` (Default: false),
  /// `score_mode` (Default: "dot"), `dropout` (Default: 0), `seed` (Default: null), `name`,
  /// `trainable`.
  static std::shared_ptr<Attention> from_config(const Config& config);

  /// The symbolic call on `[query, value]` or `[query, value, key]`, as Keras's `layer([q, v],
  /// use_causal_mask=...)`.
  KerasTensor operator()(const KerasTensors& inputs, const AttentionCall& call = {});
  /// The same call with `return_attention_scores=True`: the output and the attention weights
  /// `[batch, Tq, Tv]` (after the mask, the softmax and, in training, the dropout).
  std::pair<KerasTensor, KerasTensor> call_with_scores(const KerasTensors& inputs, const AttentionCall& call = {});
  /// The eager call on `inputs` (query, value, and optionally key) with their masks (each
  /// undefined or bool `[batch, steps]`; the list may be shorter), building the layer on first
  /// use: the output and the attention weights.
  std::pair<torch::Tensor, torch::Tensor> attend(const std::vector<torch::Tensor>& inputs,
                                                 const std::vector<torch::Tensor>& masks = {},
                                                 bool use_causal_mask = false, bool training = false);

  /// The options it was made with.
  const AttentionOptions& options() const { return options_; }
  std::string class_name() const override { return "Attention"; }
  bool takes_list() const override { return true; }
  /// True: the output carries the query's mask, as Keras's `compute_mask`.
  bool supports_masking() const override { return true; }
  /// A list, with the keyword arguments `use_causal_mask` and `return_attention_scores`.
  CallSignature call_signature() const override;
  Config get_config() const override;
  /// Throws `tkeras::Error`: Attention takes a list, `[query, value]`.
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_list(const std::vector<torch::Tensor>& inputs, bool training) override;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const Node& node,
                                                                 const std::vector<torch::Tensor>& inputs,
                                                                 const std::vector<torch::Tensor>& masks,
                                                                 bool training) override;
  /// ONNX's MatMul (or Add, Tanh and ReduceSum for `"concat"`), the masks as additive biases, and
  /// Softmax. Refuses the scores as a second output.
  io::onnx::Value to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                               const std::vector<io::onnx::Value>& inputs) const override;

 protected:
  /// Throws `tkeras::Error`: Attention takes a list.
  Shape build_weights(const Shape& input_shape) override;
  /// The query's steps and the value's last size; creates `scale` and `concat_score_weight`.
  Shape build_list_weights(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) override;

 private:
  std::pair<torch::Tensor, torch::Tensor> compute(const std::vector<torch::Tensor>& inputs,
                                                  const std::vector<torch::Tensor>& masks, bool causal, bool training);
  std::vector<KerasTensor> call_with(const KerasTensors& inputs, const AttentionCall& call, bool scores);

  AttentionOptions options_;
  torch::Tensor scale_;
  torch::Tensor concat_score_weight_;
  std::optional<at::Generator> generator_;
};

}  // namespace tkeras::layers
