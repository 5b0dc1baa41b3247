// Concatenate: inputs joined along Keras's axis (the batch axis counted), its shape rule, config and errors.
#include "tkeras/layers/concatenate.h"

#include <memory>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

TEST_CASE("Concatenate joins its inputs along the last axis by default") {
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 3, 2});
  const torch::Tensor y = torch::arange(100, 124, torch::kFloat32).reshape({2, 3, 4});
  auto concatenate = std::make_shared<layers::Concatenate>();
  CHECK(concatenate->axis() == -1);
  CHECK((*concatenate)({tkeras::Input({3, 2}), tkeras::Input({3, 4})}).shape() == Shape{3, 6});
  const torch::Tensor out = concatenate->call_list({x, y}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 6});
  CHECK(torch::equal(out.narrow(2, 0, 2), x));
  CHECK(torch::equal(out.narrow(2, 2, 4), y));
}

TEST_CASE("Concatenate joins along any sample axis, counted as Keras counts it, with the batch axis") {
  const torch::Tensor x = torch::arange(24, torch::kFloat32).reshape({2, 3, 4});
  const torch::Tensor y = torch::arange(100, 108, torch::kFloat32).reshape({2, 1, 4});
  const torch::Tensor z = torch::arange(200, 216, torch::kFloat32).reshape({2, 2, 4});
  for (int64_t axis : {1, -2}) {
    CAPTURE(axis);
    auto concatenate = std::make_shared<layers::Concatenate>(axis);
    CHECK((*concatenate)({tkeras::Input({3, 4}), tkeras::Input({1, 4}), tkeras::Input({2, 4})}).shape() == Shape{6, 4});
    const torch::Tensor out = concatenate->call_list({x, y, z}, false);
    REQUIRE(out.sizes() == torch::IntArrayRef{2, 6, 4});
    CHECK(torch::equal(out.narrow(1, 0, 3), x));
    CHECK(torch::equal(out.narrow(1, 3, 1), y));
    CHECK(torch::equal(out.narrow(1, 4, 2), z));
  }
}

TEST_CASE("Concatenate refuses shapes that differ off its axis, ranks that differ and axes outside the samples") {
  const auto inputs = [](const Shape& a, const Shape& b) {
    return tkeras::KerasTensors{tkeras::Input(a), tkeras::Input(b)};
  };
  CHECK_THROWS_WITH_AS(layers::Concatenate(-1, {.name = "features"})(inputs({3, 4}, {1, 4})),
                       "Concatenate \"features\": expected inputs of one rank whose shapes match except on the "
                       "concatenation axis (axis -1), received [(None, 3, 4), (None, 1, 4)]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Concatenate(-1, {.name = "features"})(inputs({4}, {3, 4})),
                       "Concatenate \"features\": expected inputs of one rank whose shapes match except on the "
                       "concatenation axis (axis -1), received [(None, 4), (None, 3, 4)]",
                       tkeras::Error);
  for (int64_t axis : {3, -3}) {
    const std::string message = fmt::format(
        "Concatenate \"features\": expected an axis from 1 to 2 or from -2 to -1 for inputs of rank 3, "
        "received axis {} for inputs [(None, 3, 4), (None, 3, 4)]",
        axis);
    CHECK_THROWS_WITH_AS(layers::Concatenate(axis, {.name = "features"})(inputs({3, 4}, {3, 4})), message.c_str(),
                         tkeras::Error);
  }
  CHECK_THROWS_WITH_AS(
      layers::Concatenate(0),
      "Concatenate: expected an axis of the samples (1, 2... or -1, -2...), received axis 0, the batch axis",
      tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Concatenate::from_config({{"axis", "last"}}),
                       "Concatenate: expected \"axis\" as an integer, received \"last\"", tkeras::Error);
}

TEST_CASE("Concatenate's config round-trips, as Keras's get_config writes it") {
  layers::Concatenate concatenate(1, {.name = "steps"});
  const tkeras::Config config = concatenate.get_config();
  CHECK(config == tkeras::Config{{"name", "steps"}, {"trainable", true}, {"axis", 1}});
  const auto again = layers::Concatenate::from_config(config);
  CHECK(again->get_config() == config);
  CHECK(again->axis() == 1);
  SUBCASE("and from Keras's, -1 when it has no axis") {
    CHECK(layers::Concatenate::from_config({{"name", "concatenate_7"}, {"trainable", true}, {"axis", -1}})->axis() ==
          -1);
    CHECK(layers::Concatenate::from_config(tkeras::Config::object())->axis() == -1);
  }
}

TEST_CASE("Concatenate joins the features of two inputs in a Functional model") {
  auto generator = at::detail::createCPUGenerator(21);
  const tkeras::KerasTensor a = tkeras::Input({3});
  const tkeras::KerasTensor b = tkeras::Input({2});
  const tkeras::KerasTensor joined = layers::Concatenate()({a, b});
  CHECK(joined.shape() == Shape{5});
  tkeras::Model model({a, b}, joined);
  const torch::Tensor x = torch::randn({4, 3}, generator);
  const torch::Tensor y = torch::randn({4, 2}, generator);
  CHECK(torch::equal(model({x, y}).front(), torch::cat({x, y}, 1)));
}
