// pad_sequences: Keras's padding and truncation of id lists, into one tensor.
#include "tkeras/data/pad_sequences.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::utils {

torch::Tensor pad_sequences(const std::vector<std::vector<int64_t>>& sequences, PadSequencesOptions options) {
  for (const auto& [what, value] :
       {std::pair<const char*, const std::string&>{"padding", options.padding}, {"truncating", options.truncating}}) {
    if (value != "pre" && value != "post") {
      throw Error(fmt::format("pad_sequences: expected {} \"pre\" or \"post\", received \"{}\"", what, value));
    }
  }
  if (options.maxlen && *options.maxlen < 0) {
    throw Error(fmt::format("pad_sequences: expected maxlen >= 0, received {}", *options.maxlen));
  }
  size_t longest = 0;
  for (const auto& sequence : sequences) longest = std::max(longest, sequence.size());
  const int64_t length = options.maxlen.value_or(static_cast<int64_t>(longest));
  torch::Tensor padded = torch::full({static_cast<int64_t>(sequences.size()), length}, options.value, torch::kLong);
  auto rows = padded.accessor<int64_t, 2>();
  for (size_t i = 0; i < sequences.size(); ++i) {
    const auto& sequence = sequences[i];
    const int64_t kept = std::min<int64_t>(length, static_cast<int64_t>(sequence.size()));
    // Truncating "pre" keeps the last ids, "post" the first; padding "pre" puts them at the end.
    const auto first = options.truncating == "pre" ? sequence.end() - kept : sequence.begin();
    const int64_t start = options.padding == "pre" ? length - kept : 0;
    for (int64_t j = 0; j < kept; ++j) rows[static_cast<int64_t>(i)][start + j] = *(first + j);
  }
  return padded;
}

}  // namespace tkeras::utils
