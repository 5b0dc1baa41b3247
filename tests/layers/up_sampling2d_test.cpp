// UpSampling2D: pixels repeated or interpolated, its config, its errors.
#include "tkeras/layers/up_sampling2d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("UpSampling2D repeats rows and columns by default, as Keras's docstring") {
  layers::UpSampling2D up({1, 2});
  CHECK(up.build({2, 1, 3}) == tkeras::Shape{2, 2, 3});
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 2, 1, 3});
  const torch::Tensor expected =
      torch::tensor({0.0F, 1.0F, 2.0F, 0.0F, 1.0F, 2.0F, 3.0F, 4.0F,  5.0F,  3.0F, 4.0F,  5.0F,
                     6.0F, 7.0F, 8.0F, 6.0F, 7.0F, 8.0F, 9.0F, 10.0F, 11.0F, 9.0F, 10.0F, 11.0F})
          .reshape({2, 2, 2, 3});
  CHECK(torch::equal(up(x), expected));
  layers::UpSampling2D square;
  CHECK(square.build({1, 2, 1}) == tkeras::Shape{2, 4, 1});
  CHECK(torch::equal(square(torch::tensor({1.0F, 2.0F}).reshape({1, 1, 2, 1})),
                     torch::tensor({1.0F, 1.0F, 2.0F, 2.0F, 1.0F, 1.0F, 2.0F, 2.0F}).reshape({1, 2, 4, 1})));
}

TEST_CASE("UpSampling2D's bilinear interpolation reads half-pixel centres, clamped at the edges") {
  // Output column j reads input position (j + 0.5) / 2 - 0.5: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the
  // last pixel: the last pixel).
  layers::UpSampling2D up({1, 2}, {.interpolation = "bilinear"});
  CHECK(up.build({1, 2, 1}) == tkeras::Shape{1, 4, 1});
  const torch::Tensor y = up(torch::tensor({0.0F, 4.0F}).reshape({1, 1, 2, 1}));
  CHECK(torch::allclose(y, torch::tensor({0.0F, 1.0F, 3.0F, 4.0F}).reshape({1, 1, 4, 1})));
}

TEST_CASE("UpSampling2D's config round-trips, as Keras's get_config writes it") {
  layers::UpSampling2D up({3, 2}, {.interpolation = "Bilinear"});
  CHECK(up.options().interpolation == "bilinear");
  const tkeras::Config config = up.get_config();
  CHECK(config["size"] == tkeras::Config({3, 2}));
  CHECK(config["interpolation"] == "bilinear");
  CHECK(config["data_format"] == "channels_last");
  CHECK(layers::UpSampling2D::from_config(config)->get_config() == config);
  const auto defaults = layers::UpSampling2D::from_config(tkeras::Config::object());
  CHECK(defaults->size() == layers::Size2(2, 2));
  CHECK(defaults->options().interpolation == "nearest");
  CHECK(layers::UpSampling2D::from_config({{"size", 3}})->size() == layers::Size2(3, 3));
}

TEST_CASE("UpSampling2D refuses bad sizes, interpolations the torch backend lacks and channels-first images") {
  CHECK_THROWS_WITH_AS(layers::UpSampling2D({2, 0}), "UpSampling2D: expected a positive size, received (2, 0)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling2D(2, {.interpolation = "lanczos3"}),
                       "UpSampling2D: expected interpolation \"nearest\", \"bilinear\" or \"bicubic\", received "
                       "\"lanczos3\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling2D::from_config({{"size", {1, 2, 3}}}),
                       "UpSampling2D: expected \"size\" as a number or [height, width], received [1,2,3]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling2D::from_config({{"data_format", "channels_first"}}),
                       "UpSampling2D: data_format \"channels_first\" is not supported by tkeras; expected "
                       "\"channels_last\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling2D().build({28, 28}), doctest::Contains("expected input of rank 4"),
                       tkeras::Error);
}
