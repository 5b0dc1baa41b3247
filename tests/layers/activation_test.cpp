// Tests for the Activation layer.
#include "tkeras/layers/activation.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

TEST_CASE("Activation applies its function and keeps the shape") {
  tkeras::layers::Activation softmax("softmax");
  CHECK(softmax.build({10}) == tkeras::Shape{10});
  const torch::Tensor x = torch::randn({3, 10});
  CHECK(torch::allclose(softmax(x), torch::softmax(x, -1)));
  CHECK(torch::equal(softmax.call_without_activation(x, false), x));
  CHECK(softmax.activation() == "softmax");
  CHECK(softmax.count_params() == 0);
}

TEST_CASE("Activation refuses an unknown name, listing the valid ones") {
  CHECK_THROWS_WITH_AS(tkeras::layers::Activation("gelux"),
                       doctest::Contains("unknown activation \"gelux\"; expected one of: celu, elu,"), tkeras::Error);
}
