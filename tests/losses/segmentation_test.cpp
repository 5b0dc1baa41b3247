// Tests for tkeras/losses/segmentation.h: Dice and Tversky over every axis or the chosen ones.
#include "tkeras/losses/segmentation.h"

#include <cstdint>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace losses = tkeras::losses;

TEST_CASE("Dice is one minus the overlap, over the whole batch or per sample") {
  const torch::Tensor y = torch::tensor({{1.0f, 1.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 0.0f, 0.0f}});
  const torch::Tensor p = torch::tensor({{0.8f, 0.6f, 0.2f, 0.0f}, {0.0f, 0.0f, 1.0f, 0.0f}});
  // Every axis: intersection 1.4, sums 3 and 2.6.
  const torch::Tensor whole = losses::Dice()(y, p);
  CHECK(whole.dim() == 0);
  CHECK(whole.item<double>() == doctest::Approx(1.0 - 2.8 / 5.6));
  // Per sample: 1 - 2.8/3.6 and 1 - 0/2, averaged.
  CHECK(losses::Dice({.axis = std::vector<int64_t>{1}})(y, p).item<double>() ==
        doctest::Approx(((1.0 - 2.8 / 3.6) + 1.0) / 2));
}

TEST_CASE("Tversky weighs its two mismatch terms by alpha and beta, as Keras 3.15") {
  const torch::Tensor y = torch::tensor({{1.0f, 1.0f, 0.0f}});
  const torch::Tensor p = torch::tensor({{0.5f, 1.0f, 1.0f}});
  // Intersection 1.5; (1 - p) * y = 0.5; p * (1 - y) = 1.
  CHECK(losses::Tversky({.alpha = 0.7, .beta = 0.3})(y, p).item<double>() ==
        doctest::Approx(1.0 - 1.5 / (1.5 + 0.7 * 0.5 + 0.3 * 1.0)));
  CHECK(losses::Tversky()(y, p).item<double>() == doctest::Approx(losses::Dice()(y, p).item<double>()));
}

TEST_CASE("an axis outside the values, or one given twice, is refused by name") {
  const torch::Tensor y = torch::ones({2, 3});
  CHECK_THROWS_WITH_AS(losses::Dice({.axis = std::vector<int64_t>{2}})(y, y),
                       "dice: expected an axis in -2..1 for values of rank 2, received axis=2", tkeras::Error);
  CHECK_THROWS_WITH_AS(losses::Tversky({.axis = std::vector<int64_t>{1, -1}})(y, y),
                       "tversky: expected each axis once, received axis -1 twice", tkeras::Error);
}
