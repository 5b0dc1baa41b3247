// Subtract: the first of two tensors minus the second, broadcast as Keras's, its config, its errors.
#include "tkeras/layers/subtract.h"

#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

TEST_CASE("Subtract takes the second input from the first, broadcasting as Keras's") {
  auto generator = at::detail::createCPUGenerator(4);
  const torch::Tensor x = torch::randn({2, 3, 4}, generator);
  const torch::Tensor y = torch::randn({2, 4}, generator);
  auto subtract = std::make_shared<layers::Subtract>();
  CHECK((*subtract)({tkeras::Input({3, 4}), tkeras::Input({4})}).shape() == Shape{3, 4});
  const torch::Tensor out = subtract->call_list({x, y}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 4});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        CHECK(out[b][i][j].item<float>() == doctest::Approx(x[b][i][j].item<float>() - y[b][j].item<float>()));
      }
    }
  }
  // The order counts.
  CHECK(torch::allclose(subtract->call_list({y.unsqueeze(1), x}, false), -out));
}

TEST_CASE("Subtract takes exactly two inputs, as Keras's, and says how many it received") {
  const tkeras::KerasTensor a = tkeras::Input({4});
  CHECK_THROWS_WITH_AS(layers::Subtract({.name = "difference"})({a, a, a}),
                       "Subtract \"difference\": expected a list of 2 tensors, received 3: [(None, 4), (None, 4), "
                       "(None, 4)]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Subtract({.name = "difference"})(tkeras::KerasTensors{a}),
                       "Subtract \"difference\": expected a list of 2 tensors, received 1: [(None, 4)]", tkeras::Error);
  const torch::Tensor x = torch::ones({2, 4});
  CHECK_THROWS_WITH_AS(layers::Subtract({.name = "difference"}).call_list({x, x, x}, false),
                       "Subtract \"difference\": expected a list of 2 tensors, received 3 of shapes [2, 4], [2, 4], "
                       "[2, 4]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Subtract({.name = "difference"}).build(Shape{4}),
                       "Subtract \"difference\": expected a list of 2 tensors, received one of shape (None, 4)",
                       tkeras::Error);
}

TEST_CASE("Subtract refuses shapes that do not broadcast, naming itself and the shapes") {
  CHECK_THROWS_WITH_AS(layers::Subtract({.name = "difference"})({tkeras::Input({3, 4}), tkeras::Input({2, 4})}),
                       "Subtract \"difference\": expected input shapes that broadcast together (on each axis, counted "
                       "from the last, equal sizes or 1), received [(None, 3, 4), (None, 2, 4)]",
                       tkeras::Error);
}

TEST_CASE("Subtract's config round-trips, as Keras's get_config writes it") {
  layers::Subtract subtract({.name = "residual"});
  const tkeras::Config config = subtract.get_config();
  CHECK(config == tkeras::Config{{"name", "residual"}, {"trainable", true}});
  CHECK(layers::Subtract::from_config(config)->get_config() == config);
  CHECK(layers::Subtract().name().starts_with("subtract"));
}

TEST_CASE("Subtract runs in a Functional model of two inputs") {
  auto generator = at::detail::createCPUGenerator(5);
  const tkeras::KerasTensor a = tkeras::Input({3});
  const tkeras::KerasTensor b = tkeras::Input({3});
  tkeras::Model model({a, b}, layers::Subtract()({a, b}));
  const torch::Tensor x = torch::randn({4, 3}, generator);
  const torch::Tensor y = torch::randn({4, 3}, generator);
  CHECK(torch::allclose(model({x, y}).front(), x - y));
}
