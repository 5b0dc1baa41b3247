// Tests for RandomRotation. (Pixels against Keras's: tests/keras/test_augmentation.py.)
#include "tkeras/layers/random_rotation.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomRotation;

TEST_CASE("a quarter turn of a square image equals torch's rot90, counter-clockwise") {
  const torch::Tensor x = torch::rand({2, 7, 7, 3});
  RandomRotation rotate({0.25, 0.25});
  rotate.build({7, 7, 3});
  const torch::Tensor out = rotate(x, /*training=*/true);
  CHECK(torch::allclose(out, torch::rot90(x, 1, {1, 2}), 1e-5, 1e-5));
  CHECK(torch::equal(rotate(x, /*training=*/false), x));
}

TEST_CASE("RandomRotation draws a new angle per image, within its factor, repeatably with a seed") {
  const torch::Tensor x = torch::rand({8, 9, 9, 1});
  RandomRotation a(0.1, {.seed = 5});
  RandomRotation b(0.1, {.seed = 5});
  a.build({9, 9, 1});
  b.build({9, 9, 1});
  const torch::Tensor out = a(x, true);
  CHECK(torch::equal(out, b(x, true)));
  CHECK_FALSE(torch::allclose(out, x));
  // The centre pixel stays where it is, whatever the angle.
  CHECK(torch::allclose(out.select(1, 4).select(1, 4), x.select(1, 4).select(1, 4), 1e-5, 1e-5));
  CHECK(a.factor().lower == -0.1);
  CHECK(a.factor().upper == 0.1);
}

TEST_CASE("RandomRotation's config round-trips and Keras's config loads") {
  RandomRotation rotate({-0.2, 0.3}, {.fill_mode = "constant", .interpolation = "nearest", .seed = 2, .fill_value = 4});
  const auto copy = RandomRotation::from_config(rotate.get_config());
  CHECK(copy->get_config() == rotate.get_config());
  const tkeras::Config keras = {
      {"name", "random_rotation"}, {"trainable", true}, {"data_format", "channels_last"}, {"factor", {-0.1, 0.1}},
      {"fill_mode", "reflect"},    {"fill_value", 0.0}, {"interpolation", "bilinear"},    {"seed", nullptr}};
  CHECK(RandomRotation::from_config(keras)->factor().upper == 0.1);
}

TEST_CASE("RandomRotation refuses factors beyond a turn and modes it does not have") {
  CHECK_THROWS_WITH_AS(RandomRotation(1.5), "RandomRotation: expected factor within [-1, 1], received [-1.5, 1.5]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(RandomRotation(0.1, {.fill_mode = "wrap"}),
                       doctest::Contains("(Keras's \"wrap\" is not supported by tkeras)"), tkeras::Error);
  CHECK_THROWS_WITH_AS(RandomRotation(0.1, {.interpolation = "bicubic"}),
                       doctest::Contains("expected interpolation \"bilinear\" or \"nearest\""), tkeras::Error);
}
