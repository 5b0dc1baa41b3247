// Add: the sum of a list of tensors, broadcast as Keras's, its config, its errors, a symbolic call.
#include "tkeras/layers/add.h"

#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

TEST_CASE("Add sums its inputs element by element, as many as it is given") {
  auto generator = at::detail::createCPUGenerator(1);
  const torch::Tensor x = torch::randn({2, 3}, generator);
  const torch::Tensor y = torch::randn({2, 3}, generator);
  const torch::Tensor z = torch::randn({2, 3}, generator);
  auto add = std::make_shared<layers::Add>();
  CHECK((*add)({tkeras::Input({3}), tkeras::Input({3}), tkeras::Input({3})}).shape() == Shape{3});
  const torch::Tensor out = add->call_list({x, y, z}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) {
      CHECK(out[b][i].item<float>() ==
            doctest::Approx(x[b][i].item<float>() + y[b][i].item<float>() + z[b][i].item<float>()).epsilon(1e-6));
    }
  }
}

TEST_CASE("Add broadcasts axes of size 1 and inputs of lower rank, as Keras's") {
  auto generator = at::detail::createCPUGenerator(2);
  const torch::Tensor x = torch::randn({2, 3, 1}, generator);
  const torch::Tensor y = torch::randn({2, 1, 4}, generator);
  const torch::Tensor z = torch::randn({2, 4}, generator);
  auto add = std::make_shared<layers::Add>();
  CHECK((*add)({tkeras::Input({3, 1}), tkeras::Input({1, 4}), tkeras::Input({4})}).shape() == Shape{3, 4});
  const torch::Tensor out = add->call_list({x, y, z}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 4});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        const float expected = x[b][i][0].item<float>() + y[b][0][j].item<float>() + z[b][j].item<float>();
        CHECK(out[b][i][j].item<float>() == doctest::Approx(expected).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("Add refuses shapes that do not broadcast, naming itself and the shapes") {
  const tkeras::KerasTensor a = tkeras::Input({4});
  const tkeras::KerasTensor b = tkeras::Input({5});
  const tkeras::KerasTensor c = tkeras::Input({2, 4});
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"})({a, b}),
                       "Add \"sum\": expected input shapes that broadcast together (on each axis, counted from the "
                       "last, equal sizes or 1), received [(None, 4), (None, 5)]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"})({a, c, b}),
                       "Add \"sum\": expected input shapes that broadcast together (on each axis, counted from the "
                       "last, equal sizes or 1), received [(None, 4), (None, 2, 4), (None, 5)]",
                       tkeras::Error);
}

TEST_CASE("Add's config round-trips, as Keras's get_config writes it") {
  layers::Add add({.name = "skip"});
  const tkeras::Config config = add.get_config();
  CHECK(config == tkeras::Config{{"name", "skip"}, {"trainable", true}});
  const auto again = layers::Add::from_config(config);
  CHECK(again->get_config() == config);
  CHECK(again->class_name() == "Add");
  CHECK(layers::Add().name().starts_with("add"));
}

TEST_CASE("Add makes a residual connection in a Functional model") {
  auto generator = at::detail::createCPUGenerator(3);
  const tkeras::KerasTensor inputs = tkeras::Input({4});
  const tkeras::KerasTensor sum = layers::Add()({inputs, inputs});
  CHECK(sum.shape() == Shape{4});
  tkeras::Model model(inputs, sum);
  const torch::Tensor x = torch::randn({3, 4}, generator);
  CHECK(torch::allclose(model.predict(x, {.verbose = 0}), x * 2.0));
}
