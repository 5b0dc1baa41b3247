// Tests for Resizing. (Pixels against Keras's: tests/keras/test_summary.py's Resizing models.)
#include "tkeras/layers/resizing.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::Resizing;

TEST_CASE("Resizing halves a row with half-pixel centres, in fit and outside it alike") {
  const torch::Tensor x = torch::tensor({0.0F, 40.0F, 80.0F, 120.0F}).view({1, 1, 4, 1}).expand({2, 2, 4, 1});
  Resizing resize(2, 2);
  CHECK(resize.build({2, 4, 1}) == tkeras::Shape{2, 2, 1});
  CHECK(torch::allclose(resize(x, true)[0][0].squeeze(1), torch::tensor({20.0F, 100.0F})));
  CHECK(torch::equal(resize(x, false), resize(x, true)));
}

TEST_CASE("Resizing crops or pads to the aspect ratio first, and its config round-trips") {
  const torch::Tensor x = torch::arange(8, torch::kFloat32).view({1, 1, 8, 1}).expand({1, 4, 8, 1}).contiguous();
  Resizing crop(4, 4, {.crop_to_aspect_ratio = true});
  crop.build({4, 8, 1});
  CHECK(torch::equal(crop(x, false)[0][0].squeeze(1), torch::tensor({2.0F, 3.0F, 4.0F, 5.0F})));
  Resizing pad(8, 8, {.pad_to_aspect_ratio = true, .fill_value = -1});
  pad.build({4, 8, 1});
  const torch::Tensor padded = pad(x, false);
  CHECK(padded[0][0][0][0].item<float>() == -1.0F);
  CHECK(torch::equal(padded[0][2].squeeze(1), torch::arange(8, torch::kFloat32)));
  CHECK(Resizing::from_config(pad.get_config())->get_config() == pad.get_config());
}

TEST_CASE("Resizing refuses bad sizes and options") {
  CHECK_THROWS_WITH_AS(Resizing(0, 3), "Resizing: expected a positive height and width, received 0 x 3", tkeras::Error);
  CHECK_THROWS_WITH_AS(Resizing(3, 3, {.interpolation = "lanczos3"}), doctest::Contains("received \"lanczos3\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(Resizing(3, 3, {.crop_to_aspect_ratio = true, .pad_to_aspect_ratio = true}),
                       doctest::Contains("only one of crop_to_aspect_ratio and pad_to_aspect_ratio"), tkeras::Error);
}
