// Tests for Dropout.
#include "tkeras/layers/dropout.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

TEST_CASE("Dropout zeroes about rate of the inputs while training and scales the rest") {
  tkeras::layers::Dropout dropout(0.5);
  dropout.build({1000});
  const torch::Tensor out = dropout(torch::ones({4, 1000}), /*training=*/true);
  const double zeros = out.eq(0).to(torch::kFloat64).mean().item<double>();
  CHECK(zeros == doctest::Approx(0.5).epsilon(0.1));
  CHECK(out.max().item<float>() == 2.0f);
}

TEST_CASE("Dropout passes inputs through outside training") {
  tkeras::layers::Dropout dropout(0.9);
  dropout.build({10});
  const torch::Tensor x = torch::randn({3, 10});
  CHECK(torch::equal(dropout(x), x));
}

TEST_CASE("Dropout refuses rates below 0 and from 1 up") {
  CHECK_THROWS_WITH_AS(tkeras::layers::Dropout(1.0), "Dropout: expected a rate in [0, 1), received 1", tkeras::Error);
}
