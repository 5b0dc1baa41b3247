// Tests for tkeras/initializers/constant.h: Zeros, Ones, Constant and Identity.
#include "tkeras/initializers/constant.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace initializers = tkeras::initializers;

TEST_CASE("the constant initializers fill float32 weights") {
  CHECK(torch::equal(initializers::Zeros()({2, 3}), torch::zeros({2, 3})));
  CHECK(torch::equal(initializers::Ones()({4}), torch::ones({4})));
  const torch::Tensor filled = initializers::Constant(0.25)({2, 2});
  CHECK((filled.scalar_type() == torch::kFloat));
  CHECK(torch::equal(filled, torch::full({2, 2}, 0.25f)));
}

TEST_CASE("Identity is gain times the identity, for 2-D weights only") {
  CHECK(torch::equal(initializers::Identity(2.0)({2, 3}), 2.0f * torch::eye(2, 3)));
  CHECK_THROWS_WITH_AS(initializers::Identity()({2, 2, 2}), doctest::Contains("2-D"), tkeras::Error);
}
