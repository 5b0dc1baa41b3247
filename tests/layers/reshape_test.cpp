// Tests for Reshape.
#include "tkeras/layers/reshape.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

TEST_CASE("Reshape gives each sample a new shape, inferring one -1") {
  tkeras::layers::Reshape channel({28, 28, 1});
  CHECK(channel.build({28, 28}) == tkeras::Shape{28, 28, 1});
  CHECK(channel(torch::zeros({5, 28, 28})).sizes().vec() == std::vector<int64_t>{5, 28, 28, 1});
  tkeras::layers::Reshape inferred({-1, 4});
  CHECK(inferred.build({2, 6}) == tkeras::Shape{3, 4});
}

TEST_CASE("Reshape refuses shapes that do not hold the same number of values") {
  tkeras::layers::Reshape reshape({5, 5});
  CHECK_THROWS_WITH_AS(
      reshape.build({28, 28}),
      fmt::format("Reshape \"{}\": cannot reshape input (None, 28, 28) (784 values per sample) to (None, 5, 5)",
                  reshape.name())
          .c_str(),
      tkeras::Error);
  CHECK_THROWS_WITH_AS(
      tkeras::layers::Reshape({-1, -1}),
      "Reshape: expected a target shape of positive sizes with at most one -1, received (None, -1, -1)", tkeras::Error);
}
