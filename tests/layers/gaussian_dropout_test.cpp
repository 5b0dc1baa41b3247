// Tests for GaussianDropout: noise of mean 1 and deviation sqrt(rate / (1 - rate)) in training, the
// identity otherwise, its seed, its checks and its config.
#include "tkeras/layers/gaussian_dropout.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"

namespace layers = tkeras::layers;

TEST_CASE("GaussianDropout multiplies by noise of mean 1 and deviation sqrt(rate / (1 - rate)) while training") {
  // rate 0.2: sqrt(0.2 / 0.8) = 0.5. 10,000 draws: the mean's deviation is 0.005.
  layers::GaussianDropout dropout(0.2, {.seed = 5});
  dropout.build({100});
  const torch::Tensor x = torch::full({100, 100}, 3.0f);
  const torch::Tensor noise = dropout(x, /*training=*/true) / 3.0f;
  CHECK(noise.mean().item<double>() == doctest::Approx(1.0).epsilon(0.02));
  CHECK(noise.std().item<double>() == doctest::Approx(0.5).epsilon(0.04));
  // rate 0.5: deviation 1.
  layers::GaussianDropout half(0.5, {.seed = 6});
  half.build({100});
  CHECK(half(torch::ones({100, 100}), true).std().item<double>() == doctest::Approx(1.0).epsilon(0.04));
  CHECK(dropout.name().starts_with("gaussian_dropout"));
}

TEST_CASE("GaussianDropout is the identity outside training and at rate 0") {
  const torch::Tensor x = torch::randn({4, 6});
  layers::GaussianDropout dropout(0.5);
  dropout.build({6});
  CHECK(torch::equal(dropout(x), x));
  layers::GaussianDropout none(0.0);
  none.build({6});
  CHECK(torch::equal(none(x, true), x));
}

TEST_CASE("GaussianDropout draws the same noise from the same seed, and from set_random_seed without one") {
  const torch::Tensor x = torch::ones({3, 5});
  layers::GaussianDropout first(0.3, {.seed = 8});
  layers::GaussianDropout second(0.3, {.seed = 8});
  first.build({5});
  second.build({5});
  CHECK(torch::equal(first(x, true), second(x, true)));
  layers::GaussianDropout unseeded(0.3);
  unseeded.build({5});
  tkeras::utils::set_random_seed(4);
  const torch::Tensor b = unseeded(x, true);
  tkeras::utils::set_random_seed(4);
  CHECK(torch::equal(unseeded(x, true), b));
}

TEST_CASE("GaussianDropout takes rates in [0, 1] as Keras, but cannot train at rate 1") {
  CHECK_THROWS_WITH_AS(layers::GaussianDropout(1.5), "GaussianDropout: expected a rate in [0, 1], received 1.5",
                       tkeras::Error);
  layers::GaussianDropout all(1.0);
  all.build({2});
  const torch::Tensor x = torch::ones({1, 2});
  CHECK(torch::equal(all(x), x));
  CHECK_THROWS_WITH_AS(all(x, true), doctest::Contains("expected a rate < 1 to train"), tkeras::Error);
}

TEST_CASE("GaussianDropout's config holds rate and seed, and round-trips") {
  const tkeras::Config config = layers::GaussianDropout(0.4, {.seed = 1}).get_config();
  CHECK(config.at("rate") == 0.4);
  CHECK(config.at("seed") == 1);
  const auto back = layers::GaussianDropout::from_config(config);
  CHECK(back->rate() == 0.4);
  CHECK(back->seed() == 1U);
  CHECK(layers::GaussianDropout(0.4).get_config().at("seed").is_null());
}
