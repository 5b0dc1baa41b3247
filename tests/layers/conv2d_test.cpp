// Tests for Conv2D: Keras's shapes, parameters and "same" padding, on channels-last images.
#include "tkeras/layers/conv2d.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Conv2D keeps Keras's kernel layout, parameter count and output shape") {
  layers::Conv2D conv(64, 3, {.activation = "relu"});
  CHECK(conv.build({28, 28, 1}) == tkeras::Shape{26, 26, 64});
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{3, 3, 1, 64});
  CHECK(conv.count_params() == 640);
  CHECK(conv.class_name() == "Conv2D");
  CHECK(conv.name().starts_with("conv2d"));
}

TEST_CASE("Conv2D refuses images without a channel axis, as Keras does, and says how to add one") {
  layers::Conv2D conv(4, {3, 5});
  CHECK_THROWS_WITH_AS(
      conv.build({7, 9}),
      doctest::Contains("expected input of rank 4 (batch, height, width, channels), received (None, 7, "
                        "9); add the channel axis with Reshape({7, 9, 1})"),
      tkeras::Error);
  CHECK(conv.build({7, 9, 1}) == tkeras::Shape{5, 5, 4});
  const torch::NoGradGuard no_grad;
  CHECK(conv(torch::randn({2, 7, 9, 1})).sizes().vec() == std::vector<int64_t>{2, 5, 5, 4});
}

TEST_CASE("Conv2D computes LibTorch's convolution on the channels-first view") {
  layers::Conv2D conv(5, 3, {.strides = 2});
  conv.build({9, 9, 3});
  const torch::NoGradGuard no_grad;
  conv.weights()[1].value.uniform_();
  const torch::Tensor x = torch::randn({2, 9, 9, 3});
  const torch::Tensor expected =
      torch::conv2d(x.permute({0, 3, 1, 2}), conv.weights()[0].value.permute({3, 2, 0, 1}), conv.weights()[1].value, 2)
          .permute({0, 2, 3, 1});
  CHECK(torch::allclose(conv(x), expected, 1e-5, 1e-5));
}

TEST_CASE("same padding pads one more at the end for even kernels, as Keras") {
  layers::Conv2D conv(1, 2, {.padding = "same", .use_bias = false});
  CHECK(conv.build({3, 3, 1}) == tkeras::Shape{3, 3, 1});
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.fill_(1.0);
  const torch::Tensor out = conv(torch::ones({1, 3, 3, 1})).squeeze();
  CHECK(torch::equal(out, torch::tensor({{4.0f, 4.0f, 2.0f}, {4.0f, 4.0f, 2.0f}, {2.0f, 2.0f, 1.0f}})));
}

TEST_CASE("same padding with strides gives ceil(input / stride) outputs") {
  layers::Conv2D conv(8, 3, {.strides = 2, .padding = "same"});
  CHECK(conv.build({28, 28, 1}) == tkeras::Shape{14, 14, 8});
  CHECK(conv.count_params() == 80);
  layers::Conv2D odd(2, 3, {.strides = 2, .padding = "same"});
  CHECK(odd.build({7, 7, 2}) == tkeras::Shape{4, 4, 2});
  const torch::NoGradGuard no_grad;
  CHECK(odd(torch::randn({1, 7, 7, 2})).sizes().vec() == std::vector<int64_t>{1, 4, 4, 2});
}

TEST_CASE("a kernel larger than its input is refused, naming the layer and the shapes") {
  layers::Conv2D conv(1, 5);
  CHECK_THROWS_WITH_AS(
      conv.build({3, 3, 1}),
      fmt::format("Conv2D \"{}\": kernel 5x5 is larger than its input 3x3 (input shape (None, 3, 3, 1))", conv.name())
          .c_str(),
      tkeras::Error);
}

TEST_CASE("Conv2D refuses bad options and inputs that are not images") {
  CHECK_THROWS_WITH_AS(layers::Conv2D(0, 3), "Conv2D: expected a positive number of filters, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2D(1, {3, 0}), "Conv2D: expected a positive kernel_size, received 3x0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2D(1, 3, {.padding = "full"}),
                       "Conv2D: expected padding \"valid\" or \"same\", received \"full\"", tkeras::Error);
  layers::Conv2D conv(1, 1);
  CHECK_THROWS_WITH_AS(
      conv.build({784}),
      doctest::Contains("expected input of rank 4 (batch, height, width, channels), received (None, 784)"),
      tkeras::Error);
}
