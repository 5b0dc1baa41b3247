// Tests for RandomTranslation. (Pixels against Keras's: tests/keras/test_augmentation.py.)
#include "tkeras/layers/random_translation.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomTranslation;

TEST_CASE("a translation by whole pixels shifts the image and fills as asked") {
  const torch::Tensor x = torch::arange(1, 21, torch::kFloat32).view({1, 4, 5, 1});
  // Down one row (0.25 of 4), right two columns (0.4 of 5), the gap filled with -1.
  RandomTranslation shift({0.25, 0.25}, {0.4, 0.4}, {.fill_mode = "constant", .fill_value = -1});
  shift.build({4, 5, 1});
  const torch::Tensor out = shift(x, /*training=*/true);
  torch::Tensor expected = torch::full({1, 4, 5, 1}, -1.0F);
  expected.narrow(1, 1, 3).narrow(2, 2, 3).copy_(x.narrow(1, 0, 3).narrow(2, 0, 3));
  CHECK(torch::allclose(out, expected, 1e-5, 1e-5));
  CHECK(torch::equal(shift(x, /*training=*/false), x));
  const auto copy = RandomTranslation::from_config(shift.get_config());
  CHECK(copy->get_config() == shift.get_config());
}

TEST_CASE("RandomTranslation refuses factors beyond the image") {
  CHECK_THROWS_WITH_AS(RandomTranslation(0.1, 1.2),
                       "RandomTranslation: expected width_factor within [-1, 1], received [-1.2, 1.2]", tkeras::Error);
}
