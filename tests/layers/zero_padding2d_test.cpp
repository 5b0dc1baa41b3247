// ZeroPadding2D: Keras's padding forms, the padded values and shape, its config, its errors.
#include "tkeras/layers/zero_padding2d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

TEST_CASE("ZeroPadding2D puts rows of zeros above and below and columns left and right of each image") {
  layers::ZeroPadding2D pad({{1, 2}, {0, 3}});
  CHECK(pad.build({2, 3, 2}) == tkeras::Shape{5, 6, 2});
  const torch::Tensor x = torch::arange(1, 1 + 2 * 2 * 3 * 2, torch::kFloat32).reshape({2, 2, 3, 2});
  const torch::Tensor y = pad(x);
  REQUIRE(y.sizes() == torch::IntArrayRef{2, 5, 6, 2});
  CHECK(torch::equal(y.narrow(1, 1, 2).narrow(2, 0, 3), x));
  CHECK(y.narrow(1, 0, 1).abs().sum().item<float>() == 0.0f);
  CHECK(y.narrow(1, 3, 2).abs().sum().item<float>() == 0.0f);
  CHECK(y.narrow(2, 3, 3).abs().sum().item<float>() == 0.0f);
  CHECK(y.sum().item<float>() == x.sum().item<float>());
}

TEST_CASE("ZeroPadding2D takes Keras's three forms of padding, 1 on every side by default") {
  const auto sides = [](const layers::Padding2D& p) {
    return std::array<int64_t, 4>{p.top, p.bottom, p.left, p.right};
  };
  CHECK(sides(layers::ZeroPadding2D().padding()) == std::array<int64_t, 4>{1, 1, 1, 1});
  CHECK(sides(layers::ZeroPadding2D(2).padding()) == std::array<int64_t, 4>{2, 2, 2, 2});
  CHECK(sides(layers::ZeroPadding2D({1, 3}).padding()) == std::array<int64_t, 4>{1, 1, 3, 3});
  CHECK(sides(layers::ZeroPadding2D({{0, 1}, {2, 3}}).padding()) == std::array<int64_t, 4>{0, 1, 2, 3});
  SUBCASE("and from a config, as Keras writes it or a user does") {
    CHECK(sides(layers::ZeroPadding2D::from_config({{"padding", {{0, 1}, {2, 3}}}})->padding()) ==
          std::array<int64_t, 4>{0, 1, 2, 3});
    CHECK(sides(layers::ZeroPadding2D::from_config({{"padding", {1, 3}}})->padding()) ==
          std::array<int64_t, 4>{1, 1, 3, 3});
    CHECK(sides(layers::ZeroPadding2D::from_config({{"padding", 4}})->padding()) == std::array<int64_t, 4>{4, 4, 4, 4});
    CHECK(sides(layers::ZeroPadding2D::from_config(tkeras::Config::object())->padding()) ==
          std::array<int64_t, 4>{1, 1, 1, 1});
  }
}

TEST_CASE("ZeroPadding2D's config round-trips, as Keras's get_config writes it") {
  layers::ZeroPadding2D pad({{0, 1}, {0, 1}});
  const tkeras::Config config = pad.get_config();
  CHECK(config["padding"] == tkeras::Config({{0, 1}, {0, 1}}));
  CHECK(config["data_format"] == "channels_last");
  const auto again = layers::ZeroPadding2D::from_config(config);
  CHECK(again->get_config() == config);
  CHECK(again->name() == pad.name());
}

TEST_CASE("ZeroPadding2D refuses negative padding, channels-first images and inputs that are not images") {
  CHECK_THROWS_WITH_AS(layers::ZeroPadding2D({{0, -1}, {0, 0}}),
                       "ZeroPadding2D: expected padding of no negative size, received ((0, -1), (0, 0))",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::ZeroPadding2D::from_config({{"padding", {1, 2, 3}}}),
                       "ZeroPadding2D: expected \"padding\" as a number, [height, width] or [[top, bottom], "
                       "[left, right]], received [1,2,3]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::ZeroPadding2D::from_config({{"data_format", "channels_first"}}),
                       "ZeroPadding2D: data_format \"channels_first\" is not supported by tkeras; expected "
                       "\"channels_last\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::Sequential({layers::Input({28, 28}), layers::ZeroPadding2D()}),
                       doctest::Contains("expected input of rank 4 (batch, height, width, channels), received "
                                         "(None, 28, 28); add the channel axis with Reshape({28, 28, 1})"),
                       tkeras::Error);
}
