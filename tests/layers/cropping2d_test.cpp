// Cropping2D: the rows and columns it cuts, Keras's forms of cropping, its config, its errors.
#include "tkeras/layers/cropping2d.h"

#include <array>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {
std::array<int64_t, 4> sides(const layers::Crop2D& c) { return {c.top, c.bottom, c.left, c.right}; }
}  // namespace

TEST_CASE("Cropping2D cuts rows at the top and bottom and columns at the left and right") {
  // Keras's docstring: (2, 28, 28, 3) cropped ((2, 2), (4, 4)) is (2, 24, 20, 3).
  CHECK(layers::Cropping2D({{2, 2}, {4, 4}}).build({28, 28, 3}) == tkeras::Shape{24, 20, 3});
  layers::Cropping2D crop({{1, 0}, {0, 2}});
  CHECK(crop.build({3, 4, 1}) == tkeras::Shape{2, 2, 1});
  // Pixel (row, column) holds 10 * row + column.
  const torch::Tensor x =
      (torch::arange(3).reshape({3, 1}) * 10 + torch::arange(4)).to(torch::kFloat32).reshape({1, 3, 4, 1});
  CHECK(torch::equal(crop(x), torch::tensor({10.0F, 11.0F, 20.0F, 21.0F}).reshape({1, 2, 2, 1})));
}

TEST_CASE("Cropping2D takes Keras's three forms of cropping, none by default") {
  CHECK(sides(layers::Cropping2D().cropping()) == std::array<int64_t, 4>{0, 0, 0, 0});
  CHECK(sides(layers::Cropping2D(2).cropping()) == std::array<int64_t, 4>{2, 2, 2, 2});
  CHECK(sides(layers::Cropping2D({1, 3}).cropping()) == std::array<int64_t, 4>{1, 1, 3, 3});
  CHECK(sides(layers::Cropping2D({{0, 1}, {2, 3}}).cropping()) == std::array<int64_t, 4>{0, 1, 2, 3});
  CHECK(sides(layers::Cropping2D::from_config({{"cropping", {{0, 1}, {2, 3}}}})->cropping()) ==
        std::array<int64_t, 4>{0, 1, 2, 3});
  CHECK(sides(layers::Cropping2D::from_config({{"cropping", {1, 3}}})->cropping()) ==
        std::array<int64_t, 4>{1, 1, 3, 3});
  CHECK(sides(layers::Cropping2D::from_config({{"cropping", 4}})->cropping()) == std::array<int64_t, 4>{4, 4, 4, 4});
  CHECK(sides(layers::Cropping2D::from_config(tkeras::Config::object())->cropping()) ==
        std::array<int64_t, 4>{0, 0, 0, 0});
}

TEST_CASE("Cropping2D's config round-trips, as Keras's get_config writes it") {
  layers::Cropping2D crop({{0, 1}, {2, 0}});
  const tkeras::Config config = crop.get_config();
  CHECK(config["cropping"] == tkeras::Config({{0, 1}, {2, 0}}));
  CHECK(config["data_format"] == "channels_last");
  CHECK(layers::Cropping2D::from_config(config)->get_config() == config);
}

TEST_CASE("Cropping2D refuses negative cropping, channels-first images and cropping that leaves nothing") {
  CHECK_THROWS_WITH_AS(layers::Cropping2D({{0, -1}, {0, 0}}),
                       "Cropping2D: expected cropping of no negative size, received ((0, -1), (0, 0))", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Cropping2D::from_config({{"cropping", {1, 2, 3}}}),
                       "Cropping2D: expected \"cropping\" as a number, [height, width] or [[top, bottom], "
                       "[left, right]], received [1,2,3]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Cropping2D::from_config({{"data_format", "channels_first"}}),
                       "Cropping2D: data_format \"channels_first\" is not supported by tkeras; expected "
                       "\"channels_last\"",
                       tkeras::Error);
  layers::Cropping2D crop({{1, 1}, {0, 0}});
  crop.set_name("crop");
  CHECK_THROWS_WITH_AS(crop.build({2, 5, 3}),
                       "Cropping2D \"crop\": expected cropping ((1, 1), (0, 0)) smaller than the input's 2 x 5 "
                       "pixels, received input (None, 2, 5, 3)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Cropping2D().build({28, 28}), doctest::Contains("expected input of rank 4"),
                       tkeras::Error);
}
