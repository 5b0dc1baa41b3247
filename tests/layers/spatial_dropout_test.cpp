// Tests for SpatialDropout1D and SpatialDropout2D: whole feature maps dropped in training, seeds,
// the identity at inference, checks and configs.
#include "tkeras/layers/spatial_dropout.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"

namespace layers = tkeras::layers;

namespace {

// The fraction of feature maps zeroed, after checking that each map of `out` (maps along
// `reduce`) is all 0 or all `kept`.
double dropped_fraction(const torch::Tensor& out, std::vector<int64_t> reduce, float kept) {
  const torch::Tensor low = out.amin(reduce);
  const torch::Tensor high = out.amax(reduce);
  CHECK(torch::equal(low, high));  // a map is dropped or kept whole
  CHECK(torch::logical_or(high == 0.0f, high == kept).all().item<bool>());
  return (high == 0.0f).to(torch::kFloat64).mean().item<double>();
}

}  // namespace

TEST_CASE("SpatialDropout2D zeroes whole feature maps, about rate of them, and scales the rest by 1 / (1 - rate)") {
  layers::SpatialDropout2D dropout(0.5, {.seed = 7});
  dropout.build({2, 2, 16});
  // 64 images x 16 channels = 1024 maps: the fraction dropped has a standard deviation of 0.016.
  const torch::Tensor out = dropout(torch::ones({64, 2, 2, 16}), /*training=*/true);
  CHECK(dropped_fraction(out, {1, 2}, 2.0f) == doctest::Approx(0.5).epsilon(0.1));
  // A quarter dropped, the rest scaled by 4 / 3.
  layers::SpatialDropout2D quarter(0.25, {.seed = 3});
  quarter.build({3, 3, 16});
  const torch::Tensor x = torch::full({64, 3, 3, 16}, 3.0f);
  CHECK(dropped_fraction(quarter(x, true), {1, 2}, 4.0f) == doctest::Approx(0.25).epsilon(0.2));
}

TEST_CASE("SpatialDropout2D with channels first drops along axis 1") {
  layers::SpatialDropout2D dropout(0.5, {.data_format = "channels_first", .seed = 1});
  dropout.build({16, 2, 3});
  const torch::Tensor out = dropout(torch::ones({64, 16, 2, 3}), true);
  CHECK(dropped_fraction(out, {2, 3}, 2.0f) == doctest::Approx(0.5).epsilon(0.1));
}

TEST_CASE("SpatialDropout1D drops a channel at every step of a sample") {
  layers::SpatialDropout1D dropout(0.5, {.seed = 11});
  dropout.build({5, 16});
  const torch::Tensor out = dropout(torch::ones({64, 5, 16}), true);
  CHECK(dropped_fraction(out, {1}, 2.0f) == doctest::Approx(0.5).epsilon(0.1));
  CHECK(dropout.name().starts_with("spatial_dropout1d"));
  CHECK(layers::SpatialDropout2D(0.1).name().starts_with("spatial_dropout2d"));
}

TEST_CASE("SpatialDropout is the identity outside training and at rate 0, and gives zeros at rate 1") {
  const torch::Tensor x = torch::randn({2, 3, 3, 4});
  layers::SpatialDropout2D dropout(0.9);
  dropout.build({3, 3, 4});
  CHECK(torch::equal(dropout(x), x));
  layers::SpatialDropout2D none(0.0);
  none.build({3, 3, 4});
  CHECK(torch::equal(none(x, true), x));
  layers::SpatialDropout2D all(1.0);
  all.build({3, 3, 4});
  CHECK(torch::equal(all(x, true), torch::zeros_like(x)));
}

TEST_CASE("SpatialDropout draws the same maps again from the same seed, and from set_random_seed without one") {
  const torch::Tensor x = torch::ones({8, 4, 8});
  layers::SpatialDropout1D first(0.5, {.seed = 5});
  layers::SpatialDropout1D second(0.5, {.seed = 5});
  first.build({4, 8});
  second.build({4, 8});
  CHECK(torch::equal(first(x, true), second(x, true)));
  layers::SpatialDropout1D unseeded(0.5);
  unseeded.build({4, 8});
  tkeras::utils::set_random_seed(42);
  const torch::Tensor a = unseeded(x, true);
  tkeras::utils::set_random_seed(42);
  CHECK(torch::equal(unseeded(x, true), a));
}

TEST_CASE("SpatialDropout refuses rates outside [0, 1], other ranks and other data formats") {
  CHECK_THROWS_WITH_AS(layers::SpatialDropout1D(1.5), "SpatialDropout1D: expected a rate in [0, 1], received 1.5",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SpatialDropout2D(-0.1), doctest::Contains("SpatialDropout2D: expected a rate"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SpatialDropout2D(0.1, {.data_format = "channels_middle"}),
                       doctest::Contains("expected data_format \"channels_last\" or \"channels_first\""),
                       tkeras::Error);
  layers::SpatialDropout1D flat(0.1);
  CHECK_THROWS_WITH_AS(flat.build({4}),
                       "SpatialDropout1D: expected inputs of rank 3 (with the batch axis), received (None, 4)",
                       tkeras::Error);
  layers::SpatialDropout2D sequence(0.1);
  CHECK_THROWS_WITH_AS(sequence.build({4, 3}), doctest::Contains("expected inputs of rank 4"), tkeras::Error);
}

TEST_CASE("SpatialDropout's configs hold rate, seed and data_format, and round-trip") {
  const tkeras::Config config =
      layers::SpatialDropout2D(0.3, {.data_format = "channels_first", .seed = 9}).get_config();
  CHECK(config.at("rate") == 0.3);
  CHECK(config.at("seed") == 9);
  CHECK(config.at("data_format") == "channels_first");
  const auto back = layers::SpatialDropout2D::from_config(config);
  CHECK(back->rate() == 0.3);
  CHECK(back->seed() == 9U);
  CHECK(back->options().data_format == "channels_first");
  const tkeras::Config plain = layers::SpatialDropout1D(0.2).get_config();
  CHECK(plain.at("seed").is_null());
  CHECK_FALSE(layers::SpatialDropout1D::from_config(plain)->seed().has_value());
  CHECK(layers::SpatialDropout2D::from_config({{"rate", 0.1}})->options().data_format == "channels_last");
  CHECK_THROWS_AS(layers::SpatialDropout1D::from_config({{"rate", 0.1}, {"seed", -3}}), tkeras::Error);
  CHECK_THROWS_AS(layers::SpatialDropout1D::from_config({{"seed", 1}}), tkeras::Error);  // rate is required
}
