// Maximum: the maximum of a list of tensors, broadcast as Keras's, its config, its errors, a symbolic call.
#include "tkeras/layers/maximum.h"

#include <algorithm>
#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

TEST_CASE(
    "Maximum takes the maximum of its inputs element by element, broadcasting axes of size 1 and inputs of lower "
    "rank") {
  auto generator = at::detail::createCPUGenerator(15);
  const torch::Tensor x = torch::randn({2, 3, 4}, generator);
  const torch::Tensor y = torch::randn({2, 3, 1}, generator);
  const torch::Tensor z = torch::randn({2, 4}, generator);
  auto layer = std::make_shared<layers::Maximum>();
  CHECK((*layer)({tkeras::Input({3, 4}), tkeras::Input({3, 1}), tkeras::Input({4})}).shape() == Shape{3, 4});
  const torch::Tensor out = layer->call_list({x, y, z}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 4});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        const float p = x[b][i][j].item<float>();
        const float q = y[b][i][0].item<float>();
        const float r = z[b][j].item<float>();
        CHECK(out[b][i][j].item<float>() == doctest::Approx(std::max({p, q, r})).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("Maximum refuses shapes that do not broadcast, naming itself and the shapes") {
  CHECK_THROWS_WITH_AS(layers::Maximum({.name = "largest"})({tkeras::Input({4}), tkeras::Input({3})}),
                       "Maximum \"largest\": expected input shapes that broadcast together (on each axis, counted from "
                       "the last, equal sizes or 1), received [(None, 4), (None, 3)]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Maximum({.name = "largest"}).build(Shape{4}),
                       "Maximum \"largest\": expected a list of tensors, received one of shape (None, 4)",
                       tkeras::Error);
}

TEST_CASE("Maximum's config round-trips, as Keras's get_config writes it") {
  layers::Maximum layer({.name = "largest"});
  const tkeras::Config config = layer.get_config();
  CHECK(config == tkeras::Config{{"name", "largest"}, {"trainable", true}});
  CHECK(layers::Maximum::from_config(config)->get_config() == config);
  CHECK(layers::Maximum().name().starts_with("maximum"));
}

TEST_CASE("Maximum runs in a Functional model of two inputs") {
  auto generator = at::detail::createCPUGenerator(16);
  const tkeras::KerasTensor a = tkeras::Input({3});
  const tkeras::KerasTensor b = tkeras::Input({3});
  tkeras::Model model({a, b}, layers::Maximum()({a, b}));
  const torch::Tensor x = torch::randn({4, 3}, generator);
  const torch::Tensor y = torch::randn({4, 3}, generator);
  CHECK(torch::allclose(model({x, y}).front(), torch::maximum(x, y)));
}
