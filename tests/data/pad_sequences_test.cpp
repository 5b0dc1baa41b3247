// Tests for pad_sequences: Keras's padding and truncation at either end.
#include "tkeras/data/pad_sequences.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::utils::pad_sequences;

TEST_CASE("pad_sequences pads before and truncates the first ids by default, as Keras") {
  const torch::Tensor ids = pad_sequences({{3, 7}, {5, 1, 9, 4}, {}}, {.maxlen = 3});
  CHECK((ids.scalar_type() == torch::kLong));
  CHECK(torch::equal(ids, torch::tensor({{0, 3, 7}, {1, 9, 4}, {0, 0, 0}})));
  // Without maxlen, the longest sequence sets the length.
  CHECK(pad_sequences({{1}, {2, 3}}).sizes().vec() == std::vector<int64_t>{2, 2});
}

TEST_CASE("pad_sequences pads after and truncates the last ids on request, with any padding id") {
  const torch::Tensor ids =
      pad_sequences({{3, 7}, {5, 1, 9, 4}}, {.maxlen = 3, .padding = "post", .truncating = "post", .value = -1});
  CHECK(torch::equal(ids, torch::tensor({{3, 7, -1}, {5, 1, 9}})));
}

TEST_CASE("pad_sequences refuses unknown sides and a negative maxlen") {
  CHECK_THROWS_WITH_AS(pad_sequences({{1}}, {.padding = "left"}),
                       "pad_sequences: expected padding \"pre\" or \"post\", received \"left\"", tkeras::Error);
  CHECK_THROWS_WITH_AS(pad_sequences({{1}}, {.truncating = "end"}), doctest::Contains("expected truncating"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(pad_sequences({{1}}, {.maxlen = -2}), "pad_sequences: expected maxlen >= 0, received -2",
                       tkeras::Error);
}
