// Tests for tkeras/losses/similarity.h: the circle loss, its pairs and its mask.
#include "tkeras/losses/similarity.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace losses = tkeras::losses;

TEST_CASE("circle loss is small for tight same-label pairs and large when labels cross") {
  const torch::Tensor apart = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}, {0.0f, 1.0f}});
  const torch::Tensor labels = torch::tensor({0, 0, 1, 1});
  const losses::Circle loss;
  const double good = loss(labels, apart).item<double>();
  const double bad = loss(torch::tensor({0, 1, 0, 1}), apart).item<double>();
  CHECK(good < bad);
  // One sample's loss by hand, at gamma 1: its positive (distance 0) and negatives (distance 1, twice).
  const double gamma = 1.0;
  const double margin = 0.4;
  const double p_loss = -gamma * (margin + 0.0) * (margin - 0.0);
  const double n_term = gamma * (1.0 + margin - 1.0) * ((1.0 - margin) - 1.0);
  const double n_loss = n_term + std::log(2.0);
  const double each = std::log1p(std::exp(p_loss + n_loss));
  CHECK(losses::Circle({.gamma = 1.0})(labels, apart).item<double>() == doctest::Approx(each));
}

TEST_CASE("a sample without a positive pair does not count in the mean") {
  const torch::Tensor embeddings = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}});
  const losses::Circle loss;
  const torch::Tensor values = losses::Circle({.reduction = "none"})(torch::tensor({0, 0, 1}), embeddings);
  CHECK(values[2].item<double>() == 0.0);
  CHECK(loss(torch::tensor({0, 0, 1}), embeddings).item<double>() ==
        doctest::Approx((values[0] + values[1]).item<double>() / 2));
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({0.5f, 1.0f}), {2}, "Dense \"d\""),
                       "circle: expected integer labels, received non-integer values in y", tkeras::Error);
}
