// Tests for ELU: alpha * (exp(x) - 1) below 0, and its config.
#include "tkeras/layers/elu.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

namespace layers = tkeras::layers;

TEST_CASE("ELU is alpha * (exp(x) - 1) below 0 and x above, alpha 1 by default") {
  const torch::Tensor x = torch::tensor({{-1.0f, 0.0f, 2.0f}});
  layers::ELU plain;
  plain.build({3});
  const float e = static_cast<float>(std::exp(-1.0) - 1.0);  // -0.6321206
  CHECK(torch::allclose(plain(x), torch::tensor({{e, 0.0f, 2.0f}})));
  layers::ELU half({.alpha = 0.5});
  half.build({3});
  CHECK(torch::allclose(half(x), torch::tensor({{0.5f * e, 0.0f, 2.0f}})));
  CHECK(plain.name().starts_with("elu"));
}

TEST_CASE("ELU's config holds alpha, 1 when absent") {
  const tkeras::Config config = layers::ELU({.alpha = 0.5}).get_config();
  CHECK(config.at("alpha") == 0.5);
  CHECK(layers::ELU::from_config(config)->options().alpha == 0.5);
  CHECK(layers::ELU::from_config({{"name", "elu_9"}, {"trainable", true}})->options().alpha == 1.0);  // absent: 1
}
