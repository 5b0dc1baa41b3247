// Tests for Flatten.
#include "tkeras/layers/flatten.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

TEST_CASE("Flatten turns a 28x28 image into 784 values") {
  tkeras::layers::Flatten flatten;
  CHECK(flatten.build({28, 28}) == tkeras::Shape{784});
  const torch::Tensor x = torch::arange(2 * 28 * 28).reshape({2, 28, 28});
  const torch::Tensor flat = flatten(x);
  CHECK(flat.sizes().vec() == std::vector<int64_t>{2, 784});
  CHECK(flat[1][29].item<int64_t>() == x[1][1][1].item<int64_t>());
  CHECK(flatten.count_params() == 0);
}
