// Tests for Softmax: one axis, several axes, Keras's mask, its checks and its config.
#include "tkeras/layers/softmax.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Softmax normalises the last axis as Keras's example shows") {
  // Keras's docstring: [1, 2, 1] -> [0.21194157, 0.5761169, 0.21194157].
  layers::Softmax softmax;
  softmax.build({3});
  CHECK(torch::allclose(softmax(torch::tensor({{1.0f, 2.0f, 1.0f}})),
                        torch::tensor({{0.21194157f, 0.5761169f, 0.21194157f}})));
  CHECK(softmax.name().starts_with("softmax"));
}

TEST_CASE("Softmax over one other axis, and over several axes together") {
  // exp of the values: 1, 2, 3, 1.
  const torch::Tensor x = torch::log(torch::tensor({{{1.0f, 2.0f}, {3.0f, 1.0f}}}));
  layers::Softmax columns({.axis = {1}});
  columns.build({2, 2});
  CHECK(torch::allclose(columns(x), torch::tensor({{{0.25f, 2.0f / 3}, {0.75f, 1.0f / 3}}})));
  layers::Softmax both({.axis = {1, -1}});
  both.build({2, 2});
  CHECK(torch::allclose(both(x), torch::tensor({{{1.0f / 7, 2.0f / 7}, {3.0f / 7, 1.0f / 7}}})));
}

TEST_CASE("Softmax gives masked positions 0 and normalises the rest, and refuses a mask that does not broadcast") {
  layers::Softmax softmax;
  softmax.build({3});
  const torch::Tensor x = torch::tensor({{1.0f, 2.0f, 1.0f}});
  const float e = static_cast<float>(std::exp(1.0));
  CHECK(torch::allclose(softmax.call_with_mask(x, torch::tensor({{true, true, false}}), false),
                        torch::tensor({{1 / (1 + e), e / (1 + e), 0.0f}})));
  // A fully masked row: 0, not Keras's uniform distribution before its second where.
  CHECK(torch::equal(softmax.call_with_mask(x, torch::zeros({1, 3}, torch::kBool), false), torch::zeros({1, 3})));
  CHECK_THROWS_WITH_AS(softmax.call_with_mask(x, torch::ones({1, 2}, torch::kBool), false),
                       doctest::Contains("Softmax: expected a mask that broadcasts"), tkeras::Error);
}

TEST_CASE("Softmax refuses no axis, axes out of range and an axis twice") {
  CHECK_THROWS_WITH_AS(layers::Softmax({.axis = {}}), doctest::Contains("non-empty list"), tkeras::Error);
  layers::Softmax far({.axis = {3}});
  CHECK_THROWS_WITH_AS(far.build({4, 5}),
                       "Softmax: expected each axis in [-3, 3) for inputs of rank 3, received axis 3", tkeras::Error);
  layers::Softmax twice({.axis = {2, -1}});
  CHECK_THROWS_WITH_AS(twice.build({4, 5}), doctest::Contains("expected distinct axes"), tkeras::Error);
}

TEST_CASE("Softmax's config keeps axis an integer or a list, as Keras wrote it") {
  CHECK(layers::Softmax().get_config().at("axis") == -1);
  CHECK(layers::Softmax({.axis = {1, 2}}).get_config().at("axis") == tkeras::Config({1, 2}));
  const auto listed = layers::Softmax::from_config({{"axis", {-1}}});
  CHECK(listed->get_config().at("axis") == tkeras::Config({-1}));
  CHECK(layers::Softmax::from_config({{"axis", 1}})->options().axis == std::vector<int64_t>{1});
  CHECK(layers::Softmax::from_config({{"name", "s"}})->options().axis == std::vector<int64_t>{-1});
  CHECK_THROWS_WITH_AS(layers::Softmax::from_config({{"axis", "last"}}),
                       "Softmax: expected axis as an integer or a list of integers, received \"last\"", tkeras::Error);
}
