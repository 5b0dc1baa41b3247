// Tests for RandomZoom. (Pixels against Keras's: tests/keras/test_augmentation.py.)
#include "tkeras/layers/random_zoom.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomZoom;

TEST_CASE("zooming in 50% on the centre doubles it, nearest-neighbour exact") {
  // 8 columns: zoomed in by half, output column x reads input column 0.5 x + 1.75, so the middle
  // four input columns fill the output, each twice.
  const torch::Tensor x = torch::arange(8, torch::kFloat32).view({1, 1, 8, 1}).expand({1, 3, 8, 1}).contiguous();
  RandomZoom zoom({-0.5, -0.5}, {.width_factor = tkeras::layers::RandomFactor(-0.5, -0.5), .interpolation = "nearest"});
  zoom.build({3, 8, 1});
  const torch::Tensor row = zoom(x, /*training=*/true)[0][1].squeeze(1);
  CHECK(torch::equal(row, torch::tensor({2.0F, 2.0F, 3.0F, 3.0F, 4.0F, 4.0F, 5.0F, 5.0F})));
  CHECK(torch::equal(zoom(x, /*training=*/false), x));
}

TEST_CASE("a zoom of 0 keeps the image, and a seed makes zooms repeatable") {
  const torch::Tensor x = torch::rand({3, 6, 5, 2});
  RandomZoom none(0.0);
  none.build({6, 5, 2});
  CHECK(torch::allclose(none(x, true), x, 1e-6, 1e-6));
  RandomZoom a(0.3, {.seed = 1});
  RandomZoom b(0.3, {.seed = 1});
  a.build({6, 5, 2});
  b.build({6, 5, 2});
  CHECK(torch::equal(a(x, true), b(x, true)));
  const auto copy = RandomZoom::from_config(a.get_config());
  CHECK(copy->get_config() == a.get_config());
}

TEST_CASE("RandomZoom refuses a zoom in of 100% or more") {
  CHECK_THROWS_WITH_AS(RandomZoom({-1.5, 0.0}),
                       "RandomZoom: expected height_factor above -1 (zooming in by less than 100%), received [-1.5, 0]",
                       tkeras::Error);
}
