// Cropping1D: the steps it cuts, its forms of cropping, its config, its errors.
#include "tkeras/layers/cropping1d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Cropping1D cuts steps from both ends of each sequence, as Keras's docstring") {
  layers::Cropping1D crop(1);
  CHECK(crop.build({3, 2}) == tkeras::Shape{1, 2});
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 3, 2});
  CHECK(torch::equal(crop(x), torch::tensor({2.0F, 3.0F, 8.0F, 9.0F}).reshape({2, 1, 2})));
}

TEST_CASE("Cropping1D cuts each end apart, one step at each by default") {
  CHECK(layers::Cropping1D().cropping().left == 1);
  CHECK(layers::Cropping1D().cropping().right == 1);
  layers::Cropping1D crop({0, 2});
  CHECK(crop.build({5, 1}) == tkeras::Shape{3, 1});
  const torch::Tensor x = torch::arange(5, torch::kFloat32).reshape({1, 5, 1});
  CHECK(torch::equal(crop(x), torch::tensor({0.0F, 1.0F, 2.0F}).reshape({1, 3, 1})));
  const auto read = layers::Cropping1D::from_config({{"cropping", {2, 0}}});
  CHECK(read->cropping().left == 2);
  CHECK(read->cropping().right == 0);
  CHECK(layers::Cropping1D::from_config({{"cropping", 3}})->cropping().right == 3);
  CHECK(layers::Cropping1D::from_config(tkeras::Config::object())->cropping().left == 1);
}

TEST_CASE("Cropping1D's config round-trips, as Keras's get_config writes it") {
  layers::Cropping1D crop({1, 4});
  const tkeras::Config config = crop.get_config();
  CHECK(config["cropping"] == tkeras::Config({1, 4}));
  CHECK_FALSE(config.contains("data_format"));
  const auto again = layers::Cropping1D::from_config(config);
  CHECK(again->get_config() == config);
}

TEST_CASE("Cropping1D refuses negative cropping and cropping that leaves no step") {
  CHECK_THROWS_WITH_AS(layers::Cropping1D({-1, 0}),
                       "Cropping1D: expected cropping of no negative size, received (-1, 0)", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Cropping1D::from_config({{"cropping", "1"}}),
                       "Cropping1D: expected \"cropping\" as a number or [left, right], received \"1\"", tkeras::Error);
  layers::Cropping1D crop({2, 1});
  crop.set_name("crop");
  CHECK_THROWS_WITH_AS(crop.build({3, 2}),
                       "Cropping1D \"crop\": expected cropping (2, 1) smaller than the input's 3 steps, received "
                       "input (None, 3, 2)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Cropping1D().build({4}), doctest::Contains("expected input of rank 3"), tkeras::Error);
}
