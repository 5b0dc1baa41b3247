// Tests for DepthwiseConv2D: Keras's kernel layout and channel order, shapes and "same" padding.
#include "tkeras/layers/depthwise_conv2d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("DepthwiseConv2D keeps Keras's kernel layout, parameter count and output shape") {
  layers::DepthwiseConv2D conv(3, {.depth_multiplier = 2});
  CHECK(conv.build({8, 8, 5}) == tkeras::Shape{6, 6, 10});
  CHECK(conv.weights()[0].name == "kernel");
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{3, 3, 5, 2});
  CHECK(conv.count_params() == 3 * 3 * 5 * 2 + 10);
  CHECK(conv.name().starts_with("depthwise_conv2d"));
  layers::DepthwiseConv2D same(3, {.strides = 2, .padding = "same"});
  CHECK(same.build({7, 7, 4}) == tkeras::Shape{4, 4, 4});
}

TEST_CASE("DepthwiseConv2D convolves each channel on its own, output channel c * multiplier + m") {
  layers::DepthwiseConv2D conv(2, {.depth_multiplier = 2});
  conv.build({4, 5, 3});
  const torch::NoGradGuard no_grad;
  conv.weights()[1].value.uniform_();
  const torch::Tensor x = torch::randn({2, 4, 5, 3});
  const torch::Tensor kernel = conv.weights()[0].value;  // [2, 2, 3, 2]
  const torch::Tensor out = conv(x);
  REQUIRE(out.sizes().vec() == std::vector<int64_t>{2, 3, 4, 6});
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t m = 0; m < 2; ++m) {
      // Channel c alone through window m, with bias c * 2 + m.
      const torch::Tensor one =
          torch::conv2d(x.select(3, c).unsqueeze(1), kernel.select(2, c).select(2, m).unsqueeze(0).unsqueeze(0))
              .squeeze(1) +
          conv.weights()[1].value[c * 2 + m];
      CHECK(torch::allclose(out.select(3, c * 2 + m), one, 1e-5, 1e-5));
    }
  }
}

TEST_CASE("DepthwiseConv2D refuses a multiplier of 0 and images without channels") {
  CHECK_THROWS_WITH_AS(layers::DepthwiseConv2D(3, {.depth_multiplier = 0}),
                       doctest::Contains("expected a positive depth_multiplier, received 0"), tkeras::Error);
  layers::DepthwiseConv2D conv(3);
  CHECK_THROWS_WITH_AS(conv.build({7, 9}), doctest::Contains("expected input of rank 4"), tkeras::Error);
}
