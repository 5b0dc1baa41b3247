// Tests for LeakyReLU: Keras's slope and its default, its check and its config.
#include "tkeras/layers/leaky_relu.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("LeakyReLU scales negatives by its slope as Keras's example shows, 0.3 by default") {
  // Keras's docstring: LeakyReLU(negative_slope=0.5) on [-10, -5, 0, 5, 10].
  const torch::Tensor x = torch::tensor({{-10.0f, -5.0f, 0.0f, 5.0f, 10.0f}});
  layers::LeakyReLU half({.negative_slope = 0.5});
  half.build({5});
  CHECK(torch::equal(half(x), torch::tensor({{-5.0f, -2.5f, 0.0f, 5.0f, 10.0f}})));
  layers::LeakyReLU plain;
  plain.build({5});
  CHECK(torch::allclose(plain(x), torch::tensor({{-3.0f, -1.5f, 0.0f, 5.0f, 10.0f}})));
  CHECK(plain.name().starts_with("leaky_re_lu"));  // Keras's name for LeakyReLU
  CHECK(plain.supports_masking());
}

TEST_CASE("LeakyReLU refuses a negative slope, and its config round-trips under Keras 3's key") {
  CHECK_THROWS_WITH_AS(layers::LeakyReLU({.negative_slope = -0.1}),
                       "LeakyReLU: expected negative_slope >= 0, received -0.1", tkeras::Error);
  const tkeras::Config config = layers::LeakyReLU({.negative_slope = 0.1}).get_config();
  CHECK(config.at("negative_slope") == 0.1);
  CHECK(layers::LeakyReLU::from_config(config)->options().negative_slope == 0.1);
  CHECK(layers::LeakyReLU::from_config({{"name", "l"}})->options().negative_slope == 0.3);
  CHECK(layers::LeakyReLU::from_config({{"alpha", 0.2}})->options().negative_slope == 0.2);  // Keras 2's key
  CHECK_THROWS_AS(layers::LeakyReLU::from_config({{"negative_slope", -1.0}}), tkeras::Error);
}
