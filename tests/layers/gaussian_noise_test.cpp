// Tests for GaussianNoise: N(0, stddev^2) added in training, the identity otherwise, its seed and config.
#include "tkeras/layers/gaussian_noise.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"

namespace layers = tkeras::layers;

TEST_CASE("GaussianNoise adds noise of mean 0 and deviation stddev while training") {
  layers::GaussianNoise noise(0.5, {.seed = 3});
  noise.build({100});
  // 10,000 draws: the mean's deviation is 0.005, the standard deviation's about 0.0035.
  const torch::Tensor x = torch::full({100, 100}, 2.0f);
  const torch::Tensor added = noise(x, /*training=*/true) - x;
  CHECK(added.mean().item<double>() == doctest::Approx(0.0).epsilon(0.02).scale(1.0));
  CHECK(added.std().item<double>() == doctest::Approx(0.5).epsilon(0.04));
  CHECK(noise.name().starts_with("gaussian_noise"));
}

TEST_CASE("GaussianNoise is the identity outside training and at stddev 0") {
  const torch::Tensor x = torch::randn({4, 6});
  layers::GaussianNoise noise(1.0);
  noise.build({6});
  CHECK(torch::equal(noise(x), x));
  layers::GaussianNoise silent(0.0);
  silent.build({6});
  CHECK(torch::equal(silent(x, true), x));
}

TEST_CASE("GaussianNoise draws the same noise from the same seed, and from set_random_seed without one") {
  const torch::Tensor x = torch::zeros({3, 5});
  layers::GaussianNoise first(0.2, {.seed = 8});
  layers::GaussianNoise second(0.2, {.seed = 8});
  first.build({5});
  second.build({5});
  const torch::Tensor a = first(x, true);
  CHECK(torch::equal(a, second(x, true)));
  CHECK_FALSE(torch::equal(a, first(x, true)));  // the generator moves on
  layers::GaussianNoise unseeded(0.2);
  unseeded.build({5});
  tkeras::utils::set_random_seed(4);
  const torch::Tensor b = unseeded(x, true);
  tkeras::utils::set_random_seed(4);
  CHECK(torch::equal(unseeded(x, true), b));
}

TEST_CASE("GaussianNoise refuses a stddev outside [0, 1], as Keras, and its config round-trips") {
  CHECK_THROWS_WITH_AS(layers::GaussianNoise(1.5), "GaussianNoise: expected a stddev in [0, 1], received 1.5",
                       tkeras::Error);
  CHECK_THROWS_AS(layers::GaussianNoise(-0.1), tkeras::Error);
  const tkeras::Config config = layers::GaussianNoise(0.1, {.seed = 2}).get_config();
  CHECK(config.at("stddev") == 0.1);
  CHECK(config.at("seed") == 2);
  const auto back = layers::GaussianNoise::from_config(config);
  CHECK(back->stddev() == 0.1);
  CHECK(back->seed() == 2U);
  CHECK(layers::GaussianNoise(0.1).get_config().at("seed").is_null());
  CHECK_THROWS_AS(layers::GaussianNoise::from_config({{"stddev", 0.1}, {"seed", "x"}}), tkeras::Error);
}
