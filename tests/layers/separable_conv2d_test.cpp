// Tests for SeparableConv2D: Keras's weights (names, layouts, order), its depthwise then pointwise steps.
#include "tkeras/layers/separable_conv2d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("SeparableConv2D has Keras's weights: depthwise_kernel, pointwise_kernel, then bias") {
  layers::SeparableConv2D conv(4, 3, {.depth_multiplier = 2});
  CHECK(conv.build({8, 8, 3}) == tkeras::Shape{6, 6, 4});
  REQUIRE(conv.weights().size() == 3);
  CHECK(conv.weights()[0].name == "depthwise_kernel");
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{3, 3, 3, 2});
  CHECK(conv.weights()[1].name == "pointwise_kernel");
  CHECK(conv.weights()[1].value.sizes().vec() == std::vector<int64_t>{1, 1, 6, 4});
  CHECK(conv.weights()[2].name == "bias");
  CHECK(conv.weights()[2].value.sizes().vec() == std::vector<int64_t>{4});
  CHECK(conv.count_params() == 3 * 3 * 3 * 2 + 6 * 4 + 4);
  CHECK(conv.class_name() == "SeparableConv2D");
  CHECK(conv.name().starts_with("separable_conv2d"));
  layers::SeparableConv2D no_bias(2, 3, {.use_bias = false});
  no_bias.build({5, 5, 1});
  CHECK(no_bias.weights().size() == 2);
}

TEST_CASE("SeparableConv2D sums each channel's window, then mixes the channels, then adds the bias") {
  layers::SeparableConv2D conv(2, 2);
  conv.build({2, 2, 2});
  const torch::NoGradGuard no_grad;
  // Channel 0 through a window of ones, channel 1 through a window of twos.
  conv.weights()[0].value.copy_(torch::tensor({1.0f, 2.0f}).reshape({1, 1, 2, 1}).expand({2, 2, 2, 1}));
  conv.weights()[1].value.copy_(torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).reshape({1, 1, 2, 2}));
  conv.weights()[2].value.copy_(torch::tensor({1.0f, -1.0f}));
  // Channel 0 = 1, 2, 3, 4 (sum 10); channel 1 = 10, 20, 30, 40 (twice the sum: 200).
  const torch::Tensor x =
      torch::stack({torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}), torch::tensor({10.0f, 20.0f, 30.0f, 40.0f})}, 1)
          .reshape({1, 2, 2, 2});
  // 10 * 1 + 200 * 3 + 1 = 611; 10 * 2 + 200 * 4 - 1 = 819.
  CHECK(torch::equal(conv(x).flatten(), torch::tensor({611.0f, 819.0f})));
}

TEST_CASE("SeparableConv2D orders the depthwise channels c * depth_multiplier + m, as DepthwiseConv2D") {
  layers::SeparableConv2D conv(1, 1, {.depth_multiplier = 2, .use_bias = false});
  conv.build({1, 1, 2});
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.copy_(torch::tensor({{2.0f, 3.0f}, {5.0f, 7.0f}}).reshape({1, 1, 2, 2}));
  const torch::Tensor x = torch::tensor({10.0f, 100.0f}).reshape({1, 1, 1, 2});
  // Depthwise channels: 10 * 2, 10 * 3, 100 * 5, 100 * 7; the pointwise step picks one at a time.
  const std::vector<float> expected = {20.0f, 30.0f, 500.0f, 700.0f};
  for (int64_t channel = 0; channel < 4; ++channel) {
    conv.weights()[1].value.zero_();
    conv.weights()[1].value[0][0][channel][0] = 1.0f;
    CHECK(conv(x).item<float>() == expected[static_cast<size_t>(channel)]);
  }
}

TEST_CASE("SeparableConv2D's strides, same padding and dilation shape the depthwise step") {
  layers::SeparableConv2D strided(3, 3, {.strides = 2, .padding = "same"});
  CHECK(strided.build({7, 7, 2}) == tkeras::Shape{4, 4, 3});
  layers::SeparableConv2D dilated(1, 3, {.dilation_rate = 2, .use_bias = false});
  CHECK(dilated.build({5, 5, 1}) == tkeras::Shape{1, 1, 1});
  const torch::NoGradGuard no_grad;
  dilated.weights()[0].value.fill_(1.0);
  dilated.weights()[1].value.fill_(1.0);
  // Taps at rows and columns 0, 2, 4 of x[i][j] = 5i + j: 9 * 12 = 108.
  CHECK(dilated(torch::arange(25, torch::kFloat32).reshape({1, 5, 5, 1})).item<float>() == 108.0f);
  layers::SeparableConv2D same(2, 3, {.padding = "same", .dilation_rate = 2});
  CHECK(same.build({6, 5, 3}) == tkeras::Shape{6, 5, 2});
  CHECK(same(torch::ones({1, 6, 5, 3})).sizes().vec() == std::vector<int64_t>{1, 6, 5, 2});
}

TEST_CASE("SeparableConv2D refuses bad options and round-trips its config") {
  CHECK_THROWS_WITH_AS(layers::SeparableConv2D(2, 3, {.depth_multiplier = 0}),
                       "SeparableConv2D: expected a positive depth_multiplier, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SeparableConv2D(0, 3),
                       "SeparableConv2D: expected a positive number of filters, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SeparableConv2D(2, 3, {.strides = 2, .dilation_rate = 2}),
                       doctest::Contains("strides > 1 is not compatible with dilation_rate > 1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SeparableConv2D(2, 3, {.padding = "causal"}),
                       "SeparableConv2D: expected padding \"valid\" or \"same\", received \"causal\"", tkeras::Error);
  layers::SeparableConv2D conv(
      5, {3, 1},
      {.padding = "same", .dilation_rate = {1, 2}, .depth_multiplier = 3, .activation = "relu", .use_bias = false});
  tkeras::Config config = conv.get_config();
  CHECK(config["depth_multiplier"] == 3);
  CHECK(config["dilation_rate"] == tkeras::Config{1, 2});
  const auto copy = layers::SeparableConv2D::from_config(config);
  CHECK(copy->filters() == 5);
  CHECK(copy->kernel_size() == layers::Size2(3, 1));
  CHECK(copy->options().depth_multiplier == 3);
  CHECK(copy->options().dilation_rate == layers::Size2(1, 2));
  CHECK(copy->activation() == "relu");
  CHECK_FALSE(copy->options().use_bias);
  config["data_format"] = "channels_first";
  CHECK_THROWS_WITH_AS(layers::SeparableConv2D::from_config(config),
                       doctest::Contains("data_format \"channels_first\""), tkeras::Error);
}
