// pad_sequences: lists of token ids of different lengths as one [N, maxlen] tensor, as Keras's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace tkeras::utils {

/// pad_sequences's options, Keras's keyword arguments in Keras's order.
struct PadSequencesOptions {
  /// The length of every row. Default: none: the longest sequence's length.
  std::optional<int64_t> maxlen = std::nullopt;
  /// Where shorter sequences get their padding: `"pre"` (before, so that the last ids are at the
  /// end, as recurrent layers like them) or `"post"`. Default: "pre".
  std::string padding = "pre";
  /// Which ids longer sequences lose: `"pre"` (the first ones) or `"post"` (the last ones).
  /// Default: "pre".
  std::string truncating = "pre";
  /// The padding id. Default: 0 (what `Embedding(..., {.mask_zero = true})` masks).
  int64_t value = 0;
};

/// Pads and truncates `sequences` of token ids to one int64 tensor `[N, maxlen]`, as Keras's
/// `keras.utils.pad_sequences` (which returns int32 by default; tkeras returns LibTorch's index
/// type). Throws `tkeras::Error` for an unknown `padding` or `truncating`, or a negative `maxlen`.
///
/// Example:
/// ```
/// torch::Tensor ids = tkeras::utils::pad_sequences({{3, 7}, {5, 1, 9, 4}}, {.maxlen = 3});
/// // [[0, 3, 7], [1, 9, 4]]
/// ```
torch::Tensor pad_sequences(const std::vector<std::vector<int64_t>>& sequences, PadSequencesOptions options = {});

}  // namespace tkeras::utils
