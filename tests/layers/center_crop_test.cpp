// Tests for CenterCrop. (Pixels against Keras's: tests/keras/test_summary.py's CenterCrop models.)
#include "tkeras/layers/center_crop.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::CenterCrop;

TEST_CASE("CenterCrop keeps the centre, starting at half the difference rounded down") {
  const torch::Tensor x = torch::arange(7 * 6, torch::kFloat32).view({1, 7, 6, 1});
  CenterCrop crop(4, 3);
  CHECK(crop.build({7, 6, 1}) == tkeras::Shape{4, 3, 1});
  CHECK(torch::equal(crop(x, false), x.narrow(1, 1, 4).narrow(2, 1, 3)));
  CHECK(CenterCrop::from_config(crop.get_config())->get_config() == crop.get_config());
}

TEST_CASE("CenterCrop resizes an image smaller than its target, as Keras's smart_resize") {
  CenterCrop crop(6, 6);
  crop.build({4, 8, 2});
  const torch::Tensor out = crop(torch::ones({3, 4, 8, 2}), false);
  CHECK(out.sizes() == torch::IntArrayRef({3, 6, 6, 2}));
  CHECK(torch::allclose(out, torch::ones_like(out)));
  CHECK_THROWS_WITH_AS(CenterCrop(2, -1), "CenterCrop: expected a positive height and width, received 2 x -1",
                       tkeras::Error);
}
