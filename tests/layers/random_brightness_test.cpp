// Tests for RandomBrightness. (Against Keras's transform: tests/keras/test_augmentation.py.)
#include "tkeras/layers/random_brightness.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomBrightness;

TEST_CASE("RandomBrightness adds one offset per image, a fraction of the value range, and clips") {
  const torch::Tensor x = torch::rand({8, 3, 3, 2}) * 0.5 + 0.25;
  RandomBrightness brightness(0.2, {.value_range = {0.0, 1.0}, .seed = 3});
  brightness.build({3, 3, 2});
  const torch::Tensor out = brightness(x, /*training=*/true);
  for (int64_t i = 0; i < 8; ++i) {
    const torch::Tensor delta = out[i] - x[i];
    CHECK(torch::allclose(delta, delta.flatten()[0].expand_as(delta), 1e-5, 1e-6));
    CHECK(std::abs(delta.flatten()[0].item<float>()) <= 0.2F + 1e-6F);
  }
  CHECK(torch::equal(brightness(x, /*training=*/false), x));
  RandomBrightness bright({1.0, 1.0}, {.value_range = {0.0, 1.0}});
  bright.build({3, 3, 2});
  CHECK(torch::equal(bright(x, true), torch::ones_like(x)));
}

TEST_CASE("RandomBrightness's config round-trips and bad factors and ranges are refused") {
  RandomBrightness brightness({-0.1, 0.3}, {.value_range = {-1.0, 1.0}, .seed = 2});
  CHECK(RandomBrightness::from_config(brightness.get_config())->get_config() == brightness.get_config());
  CHECK_THROWS_WITH_AS(RandomBrightness(1.2), "RandomBrightness: expected factor within [-1, 1], received [-1.2, 1.2]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(RandomBrightness(0.1, {.value_range = {1.0, 0.0}}),
                       "RandomBrightness: expected value_range as [low, high] with low < high, received [1, 0]",
                       tkeras::Error);
}
