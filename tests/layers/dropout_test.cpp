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

TEST_CASE("Dropout with a noise_shape drops whole samples, as EfficientNet's stochastic depth") {
  torch::manual_seed(7);
  tkeras::layers::Dropout drop(0.5, {.noise_shape = {-1, 1, 1}});
  drop.build({4, 3});
  const torch::Tensor x = torch::ones({64, 4, 3});
  const torch::Tensor y = drop(x, /*training=*/true);
  // Each sample is all 0 or all 2 (1 / (1 - rate)).
  const torch::Tensor per_sample = y.flatten(1);
  CHECK(torch::equal(per_sample.amin(1), per_sample.amax(1)));
  const int64_t dropped = (per_sample.select(1, 0) == 0).sum().item<int64_t>();
  CHECK(dropped > 16);
  CHECK(dropped < 48);
  CHECK(tkeras::layers::Dropout::from_config(drop.get_config())->get_config().at("noise_shape") ==
        tkeras::Config::array({nullptr, 1, 1}));
  tkeras::layers::Dropout wrong(0.5, {.noise_shape = {-1, 1}});
  CHECK_THROWS_WITH_AS(wrong.build({4, 3}), doctest::Contains("expected noise_shape of rank 3"), tkeras::Error);
}
