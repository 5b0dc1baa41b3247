// Tests for RandomContrast. (Against Keras's transform: tests/keras/test_augmentation.py.)
#include "tkeras/layers/random_contrast.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomContrast;

TEST_CASE("RandomContrast scales each image's deviation from its channel means by one factor in range") {
  const torch::Tensor x = torch::rand({6, 5, 4, 3}) * 100 + 50;
  RandomContrast contrast({0.2, 0.4}, {.value_range = {-1e4, 1e4}, .seed = 7});
  contrast.build({5, 4, 3});
  const torch::Tensor out = contrast(x, /*training=*/true);
  const torch::Tensor mean = x.mean({1, 2}, true);
  for (int64_t i = 0; i < 6; ++i) {
    // The factor, recovered from one pixel, explains every pixel of the image.
    const double c = ((out[i][0][0][0] - mean[i][0][0][0]) / (x[i][0][0][0] - mean[i][0][0][0])).item<double>();
    CHECK(c >= 0.8 - 1e-4);
    CHECK(c <= 1.4 + 1e-4);
    CHECK(torch::allclose(out[i], (x[i] - mean[i]) * c + mean[i], 1e-4, 1e-3));
  }
  CHECK(torch::equal(contrast(x, /*training=*/false), x));
}

TEST_CASE("RandomContrast with one number only raises contrast, as Keras 3.15, and clips to the value range") {
  RandomContrast contrast(0.5, {.seed = 1});
  CHECK(contrast.factor().lower == 0.0);
  CHECK(contrast.factor().upper == 0.5);
  contrast.build({4, 4, 1});
  const torch::Tensor x = torch::tensor({0.0F, 255.0F}).repeat(8).view({1, 4, 4, 1});
  const torch::Tensor out = contrast(x, true);
  CHECK(out.min().item<float>() >= 0.0F);
  CHECK(out.max().item<float>() <= 255.0F);
  const auto copy = RandomContrast::from_config(contrast.get_config());
  CHECK(copy->get_config() == contrast.get_config());
  CHECK_THROWS_WITH_AS(RandomContrast(1.5), "RandomContrast: expected factor within [0, 1], received [0, 1.5]",
                       tkeras::Error);
}
