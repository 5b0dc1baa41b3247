// TextVectorization: turns text into token ids with a vocabulary learnt by adapt(), as Keras's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tkeras/data/dataset.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

namespace keras_format {
class Reader;
class Writer;
}  // namespace keras_format

/// TextVectorization's options, Keras's keyword arguments in Keras's order, with Keras's defaults.
struct TextVectorizationOptions {
  /// The largest vocabulary `adapt` keeps, counting the padding and `[UNK]` tokens (in `"int"`
  /// mode; `[UNK]` only in the others). Default: none, every token seen.
  std::optional<int64_t> max_tokens = std::nullopt;
  /// `"lower_and_strip_punctuation"`, `"lower"`, `"strip_punctuation"`, or none (`std::nullopt`,
  /// Keras's `None`). As Keras (TensorFlow's `strings.lower` and `regex_replace`), lowercasing
  /// changes ASCII letters only and the punctuation stripped is ASCII's 32 marks
  /// (``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``). Default: `"lower_and_strip_punctuation"`.
  std::optional<std::string> standardize = "lower_and_strip_punctuation";
  /// `"whitespace"` (runs of ASCII space, tab, newline, vertical tab, form feed and carriage
  /// return separate tokens), `"character"` (one token per UTF-8 character; an invalid byte
  /// becomes U+FFFD) or none (`std::nullopt`: each text is one token). Default: `"whitespace"`.
  std::optional<std::string> split = "whitespace";
  /// `"int"`: one token id per token, `[N, length]` int64; `"multi_hot"`: `[N, vocabulary_size]`
  /// float32 with 1 where a token occurs; `"count"`: the same with its number of occurrences.
  /// Default: `"int"`.
  std::string output_mode = "int";
  /// In `"int"` mode, the length every output is padded (with 0, at the end) or truncated (at the
  /// end) to. Default: none, outputs are as long as the call's longest text. A model that
  /// includes the layer needs it (see `TextVectorization`).
  std::optional<int64_t> output_sequence_length = std::nullopt;
  /// A vocabulary to use instead of `adapt`'s, most useful first, with or without the special
  /// tokens at its start. Default: none.
  std::vector<std::string> vocabulary = {};
};

/// Standardizes and splits text, then maps each token to its index in a vocabulary, as Keras's
/// `TextVectorization`. `adapt(texts)` learns the vocabulary: tokens ordered by count, most
/// frequent first, ties broken by the tokens' bytes in reverse order, as Keras's. In `"int"` mode
/// index 0 is the padding token `""` and 1 is `[UNK]`, which every token outside the vocabulary
/// maps to; in `"multi_hot"` and `"count"` index 0 is `[UNK]`.
///
/// On its own, the layer turns texts into a tensor: `vectorize_layer(texts)`. It can also be the
/// first layer of a model, as in Keras, so that `fit`, `evaluate` and `predict` take texts
/// (`std::vector<std::string>`, or datasets whose elements hold `Element::text`, such as
/// `text_dataset_from_directory`'s). LibTorch's tensors hold no strings, so the model vectorizes
/// texts on the CPU before its first layer, and inside the model the layer passes the token ids it
/// made through; given other tensors it throws. In a model the layer needs
/// `output_sequence_length` in `"int"` mode, since tkeras's models take inputs of one shape.
///
/// The layer has no weights (in Keras the vocabulary is not a weight either); `get_config` holds
/// the vocabulary, so saved models keep it.
///
/// Example:
/// ```
/// tkeras::layers::TextVectorization vectorize_layer({.max_tokens = 10000, .output_sequence_length = 120});
/// vectorize_layer.adapt(train_texts);
/// torch::Tensor ids = vectorize_layer(train_texts);  // [N, 120] int64
/// ```
class TextVectorization : public Layer {
 public:
  /// A layer with these options. Throws `tkeras::Error` for an unknown standardize, split or
  /// output_mode, a `max_tokens` below the special tokens' count, `output_sequence_length` outside
  /// `"int"` mode or not positive, or an invalid `vocabulary` (see `set_vocabulary`).
  explicit TextVectorization(TextVectorizationOptions options = {});
  /// A TextVectorization from its `get_config()`, or Keras's: `max_tokens`, `standardize`,
  /// `split`, `output_mode`, `output_sequence_length`, `vocabulary` (Default: none, null, as the
  /// constructor's), `name`, `trainable`. Throws `tkeras::Error` for the options tkeras does not
  /// support: `ngrams`, `ragged`, `sparse`, `pad_to_max_tokens`, `idf_weights`, a custom
  /// standardize or split, another `encoding` than UTF-8, and `"tf_idf"` mode.
  static std::shared_ptr<TextVectorization> from_config(const Config& config);

  /// Learns the vocabulary from `texts`, replacing any learnt before, as Keras's `adapt`. Throws
  /// `tkeras::Error` when the layer was given a vocabulary (`vocabulary` or `set_vocabulary`), as
  /// Keras does.
  void adapt(const std::vector<std::string>& texts);
  /// Learns the vocabulary from the texts (`Element::text`) of one pass over `dataset`, as Keras's
  /// `adapt(dataset)`. Throws `tkeras::Error` when an element holds no text.
  void adapt(const data::Dataset& dataset);
  /// Uses `vocabulary` (without or with the special tokens at its start, as `get_vocabulary()`
  /// returns it) instead of a learnt one, as Keras's `set_vocabulary`. Throws `tkeras::Error` for
  /// an empty vocabulary, repeated tokens, a special token elsewhere than at the start, or more
  /// than `max_tokens` entries.
  void set_vocabulary(const std::vector<std::string>& vocabulary);
  /// The vocabulary, index by index; `include_special_tokens` false drops `""` and `[UNK]`.
  /// Default: true.
  std::vector<std::string> get_vocabulary(bool include_special_tokens = true) const;
  /// The size of the vocabulary, special tokens included: the `input_dim` of the Embedding after
  /// it.
  int64_t vocabulary_size() const;

  /// The token ids (`"int"`: `[N, length]` int64) or token counts (`[N, vocabulary_size]`
  /// float32) of `texts`, on the CPU. Throws `tkeras::Error` when the layer has no vocabulary yet.
  torch::Tensor operator()(const std::vector<std::string>& texts) const;
  using Layer::operator();

  /// `"int"`, `"multi_hot"` or `"count"`.
  const std::string& output_mode() const { return options_.output_mode; }
  /// The length `"int"` outputs are padded or truncated to; none: the call's longest text.
  std::optional<int64_t> output_sequence_length() const { return options_.output_sequence_length; }

  std::string class_name() const override { return "TextVectorization"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  /// Keras's entry, an adapted vocabulary in the archive's assets as Keras keeps it.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  /// Reads Keras's entry, an adapted vocabulary from the archive's assets.
  static Config from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                           const std::string& where);
  /// Keras feeds a model that starts with this layer strings, one a row.
  Config to_keras_input(Config input_layer) const override;
  /// tkeras's model takes the ids (or counts) this layer makes, and vectorizes texts before it.
  Config from_keras_input(Config input_layer) const override;
  /// Inside a model: the ids or counts this layer made, passed through. Throws `tkeras::Error`
  /// for other tensors (floating point ids, or texts that were not vectorized).
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// True in `"int"` mode: the ids stay integers.
  bool takes_integer_inputs() const override { return options_.output_mode == "int"; }

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  // Hashing std::string_view lookups into the table without a string per token.
  struct TokenHash {
    using is_transparent = void;
    size_t operator()(std::string_view token) const { return std::hash<std::string_view>{}(token); }
  };
  std::vector<std::string> tokens(std::string_view text) const;
  int64_t index_of(std::string_view token) const;
  int64_t token_start() const { return options_.output_mode == "int" ? 2 : 1; }
  void use_vocabulary(std::vector<std::string> tokens);

  TextVectorizationOptions options_;  // its vocabulary moved into vocabulary_
  bool has_input_vocabulary_ = false;
  std::vector<std::string> vocabulary_;  // the learnt tokens, without the special ones
  std::unordered_map<std::string, int64_t, TokenHash, std::equal_to<>> index_;
};

}  // namespace tkeras::layers
