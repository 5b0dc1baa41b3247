// Tests for Conv2DTranspose: Keras's kernel layout and the output sizes and crops of Keras's torch backend.
#include "tkeras/layers/conv2d_transpose.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

// The output height of a Conv2DTranspose over 5 rows.
int64_t height_of(int64_t kernel, layers::Conv2DTransposeOptions options) {
  layers::Conv2DTranspose conv(1, {kernel, 1}, std::move(options));
  return conv.build({5, 1, 1})[0];
}

}  // namespace

TEST_CASE("Conv2DTranspose keeps Keras's kernel layout [kh, kw, filters, channels]") {
  layers::Conv2DTranspose conv(4, {3, 2});
  CHECK(conv.build({5, 6, 3}) == tkeras::Shape{7, 7, 4});
  CHECK(conv.weights()[0].name == "kernel");
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{3, 2, 4, 3});
  CHECK(conv.weights()[1].name == "bias");
  CHECK(conv.count_params() == 3 * 2 * 4 * 3 + 4);
  CHECK(conv.class_name() == "Conv2DTranspose");
  CHECK(conv.name().starts_with("conv2d_transpose"));
  // Filter f of channel c is kernel[.., f, c]: a 1x1 kernel multiplies.
  layers::Conv2DTranspose mix(2, 1, {.use_bias = false});
  mix.build({1, 1, 2});
  const torch::NoGradGuard no_grad;
  mix.weights()[0].value.copy_(torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).reshape({1, 1, 2, 2}));
  // filter 0: 10 * 1 + 100 * 2; filter 1: 10 * 3 + 100 * 4.
  CHECK(torch::equal(mix(torch::tensor({10.0f, 100.0f}).reshape({1, 1, 1, 2})).flatten(),
                     torch::tensor({210.0f, 430.0f})));
}

TEST_CASE("Conv2DTranspose's output sizes are Keras's") {
  // "valid": (input - 1) * stride + max(kernel, stride), or + kernel + output_padding.
  CHECK(height_of(3, {}) == 7);
  CHECK(height_of(3, {.strides = 2}) == 11);
  CHECK(height_of(1, {.strides = 2}) == 10);
  CHECK(height_of(3, {.strides = 2, .output_padding = layers::Size2(1, 0)}) == 12);
  CHECK(height_of(3, {.dilation_rate = 2}) == 9);
  // "same": input * stride, or (input - 1) * stride + kernel % 2 + output_padding.
  CHECK(height_of(3, {.strides = 2, .padding = "same"}) == 10);
  CHECK(height_of(4, {.strides = 2, .padding = "same"}) == 10);
  CHECK(height_of(1, {.strides = 3, .padding = "same"}) == 15);
  CHECK(height_of(3, {.strides = 2, .padding = "same", .output_padding = layers::Size2(0)}) == 9);
  CHECK(height_of(4, {.strides = 2, .padding = "same", .output_padding = layers::Size2(1)}) == 9);
  CHECK(height_of(2, {.padding = "same", .dilation_rate = 2}) == 5);
}

TEST_CASE("Conv2DTranspose spreads each pixel's window strides apart and crops as Keras") {
  const torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::tensor({1.0f, 10.0f}).reshape({1, 1, 2, 1});
  auto run = [&](int64_t kernel_width, layers::Conv2DTransposeOptions options) {
    layers::Conv2DTranspose conv(1, {1, kernel_width}, std::move(options));
    conv.build({1, 2, 1});
    conv.weights()[0].value.copy_(torch::arange(1, kernel_width + 1, torch::kFloat32).reshape({1, kernel_width, 1, 1}));
    if (conv.weights().size() > 1) conv.weights()[1].value.fill_(0.5);
    return conv(x).flatten();
  };
  // 1 * [1, 2, 3, 0, 0] + 10 * [0, 0, 1, 2, 3].
  CHECK(torch::equal(run(3, {.strides = {1, 2}, .use_bias = false}), torch::tensor({1.0f, 2.0f, 13.0f, 20.0f, 30.0f})));
  // "same" keeps 2 * 2 = 4 of them, cropping the last.
  CHECK(torch::equal(run(3, {.strides = {1, 2}, .padding = "same", .use_bias = false}),
                     torch::tensor({1.0f, 2.0f, 13.0f, 20.0f})));
  // Kernel 4, "same": one cropped at each end of 1 * [1, 2, 3, 4, 0, 0] + 10 * [0, 0, 1, 2, 3, 4].
  CHECK(torch::equal(run(4, {.strides = {1, 2}, .padding = "same", .use_bias = false}),
                     torch::tensor({2.0f, 13.0f, 24.0f, 30.0f})));
  // Kernel 1, stride 3, "same": 6 outputs of a full 4, extended with zeros, then the bias everywhere.
  CHECK(torch::equal(run(1, {.strides = {1, 3}, .padding = "same"}),
                     torch::tensor({1.5f, 0.5f, 0.5f, 10.5f, 0.5f, 0.5f})));
  // "valid" with output_padding 1: one more at the end.
  CHECK(torch::equal(run(3, {.strides = {1, 2}, .output_padding = layers::Size2(0, 1), .use_bias = false}),
                     torch::tensor({1.0f, 2.0f, 13.0f, 20.0f, 30.0f, 0.0f})));
  // Dilation 2: taps 2 apart, 1 * [1, 0, 2, 0, 3, 0] + 10 * [0, 1, 0, 2, 0, 3].
  CHECK(torch::equal(run(3, {.dilation_rate = {1, 2}, .use_bias = false}),
                     torch::tensor({1.0f, 10.0f, 2.0f, 20.0f, 3.0f, 30.0f})));
}

TEST_CASE("Conv2DTranspose refuses an output_padding not below its strides, and dilation with strides") {
  CHECK_THROWS_WITH_AS(layers::Conv2DTranspose(2, 3, {.strides = 2, .output_padding = layers::Size2(1, 2)}),
                       "Conv2DTranspose: expected an output_padding >= 0 and below strides, received output_padding "
                       "= 1x2 and strides = 2x2",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2DTranspose(2, 3, {.strides = 2, .dilation_rate = 2}),
                       doctest::Contains("strides > 1 is not compatible with dilation_rate > 1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2DTranspose(0, 3),
                       "Conv2DTranspose: expected a positive number of filters, received 0", tkeras::Error);
  layers::Conv2DTranspose conv(1, 3);
  CHECK_THROWS_WITH_AS(conv.build({7, 9}), doctest::Contains("expected input of rank 4"), tkeras::Error);
}

TEST_CASE("Conv2DTranspose's config carries output_padding as Keras: null or [rows, columns]") {
  layers::Conv2DTranspose conv(3, 2, {.strides = 2, .padding = "same"});
  tkeras::Config config = conv.get_config();
  CHECK(config["output_padding"].is_null());
  CHECK(config["data_format"] == "channels_last");
  CHECK_FALSE(layers::Conv2DTranspose::from_config(config)->options().output_padding.has_value());
  config["output_padding"] = {1, 0};
  const auto copy = layers::Conv2DTranspose::from_config(config);
  REQUIRE(copy->options().output_padding.has_value());
  CHECK(*copy->options().output_padding == layers::Size2(1, 0));
  CHECK(copy->get_config()["output_padding"] == tkeras::Config{1, 0});
  CHECK(copy->build({4, 4, 2}) == tkeras::Shape{7, 6, 3});
  config["output_padding"] = {-1, 0};
  CHECK_THROWS_WITH_AS(layers::Conv2DTranspose::from_config(config), doctest::Contains("output_padding"),
                       tkeras::Error);
}
