// Tests for Conv2D: Keras's shapes, parameters and "same" padding, on channels-last images.
#include "tkeras/layers/conv2d.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

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

TEST_CASE("Conv2D's dilated kernel reads taps dilation_rate apart") {
  layers::Conv2D conv(1, 2, {.dilation_rate = 2, .use_bias = false});
  CHECK(conv.build({5, 5, 1}) == tkeras::Shape{3, 3, 1});
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.fill_(1.0);
  // x[i][j] = 5i + j; out[i][j] = x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2] = 4 x[i][j] + 24.
  const torch::Tensor x = torch::arange(25, torch::kFloat32).reshape({1, 5, 5, 1});
  const torch::Tensor expected = torch::tensor({{24.0f, 28.0f, 32.0f}, {44.0f, 48.0f, 52.0f}, {64.0f, 68.0f, 72.0f}});
  CHECK(torch::equal(conv(x).squeeze(), expected));
}

TEST_CASE("Conv2D's same padding with dilation pads for the dilated span, one more at the end when odd") {
  const torch::NoGradGuard no_grad;
  // Kernel 3 dilated by 2 spans 5: 2 before and 2 after; taps at i - 2, i, i + 2 that fall inside.
  layers::Conv2D three(1, 3, {.padding = "same", .dilation_rate = 2, .use_bias = false});
  CHECK(three.build({5, 5, 1}) == tkeras::Shape{5, 5, 1});
  three.weights()[0].value.fill_(1.0);
  const torch::Tensor inside3 = torch::tensor({2.0f, 2.0f, 3.0f, 2.0f, 2.0f});
  CHECK(torch::equal(three(torch::ones({1, 5, 5, 1})).squeeze(), torch::outer(inside3, inside3)));
  // Kernel 2 dilated by 3 spans 4: 1 before and 2 after; taps at i - 1 and i + 2.
  layers::Conv2D two(1, 2, {.padding = "same", .dilation_rate = 3, .use_bias = false});
  CHECK(two.build({5, 5, 1}) == tkeras::Shape{5, 5, 1});
  two.weights()[0].value.fill_(1.0);
  const torch::Tensor inside2 = torch::tensor({1.0f, 2.0f, 2.0f, 1.0f, 1.0f});
  CHECK(torch::equal(two(torch::ones({1, 5, 5, 1})).squeeze(), torch::outer(inside2, inside2)));
}

TEST_CASE("Conv2D with groups convolves each group of channels with its own filters") {
  layers::Conv2D conv(4, 1, {.groups = 2});
  CHECK(conv.build({3, 3, 2}) == tkeras::Shape{3, 3, 4});
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{1, 1, 1, 4});
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.copy_(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({1, 1, 1, 4}));
  conv.weights()[1].value.copy_(torch::tensor({0.5f, 0.0f, 0.0f, -1.0f}));
  // Filters 0 and 1 see channel 0 (10), filters 2 and 3 channel 1 (100).
  const torch::Tensor x = torch::tensor({10.0f, 100.0f}).expand({1, 3, 3, 2});
  const torch::Tensor out = conv(x);
  CHECK(torch::equal(out[0][1][2], torch::tensor({10.5f, 20.0f, 300.0f, 399.0f})));
}

TEST_CASE("ConvNeXt's depthwise Conv2D: groups = channels, a 7x7 kernel, same padding") {
  layers::Conv2D conv(6, 7, {.padding = "same", .groups = 6});
  CHECK(conv.build({9, 9, 6}) == tkeras::Shape{9, 9, 6});
  CHECK(conv.weights()[0].value.sizes().vec() == std::vector<int64_t>{7, 7, 1, 6});
  CHECK(conv.count_params() == 7 * 7 * 6 + 6);
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.fill_(1.0);
  // Each channel on its own: channel c of constant c + 1 sums (c + 1) over the 7x7 window at the centre.
  const torch::Tensor x = torch::arange(1, 7, torch::kFloat32).expand({1, 9, 9, 6});
  CHECK(torch::equal(conv(x)[0][4][4], torch::arange(1, 7, torch::kFloat32) * 49));
}

TEST_CASE("Conv2D refuses groups that do not divide the filters or the channels, and dilation with strides") {
  CHECK_THROWS_WITH_AS(layers::Conv2D(6, 3, {.groups = 4}),
                       "Conv2D: expected filters divisible by groups, received filters = 6 and groups = 4",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, 3, {.groups = 0}), "Conv2D: expected a positive number of groups, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, 3, {.strides = 2, .dilation_rate = {1, 2}}),
                       "Conv2D: strides > 1 is not compatible with dilation_rate > 1, received strides = 2x2 and "
                       "dilation_rate = 1x2",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv2D(4, 3, {.dilation_rate = 0}),
                       "Conv2D: expected a positive dilation_rate, received 0x0", tkeras::Error);
  layers::Conv2D conv(4, 3, {.groups = 4});
  CHECK_THROWS_WITH_AS(conv.build({8, 8, 6}),
                       fmt::format("Conv2D \"{}\": expected input channels divisible by groups = 4, received 6 "
                                   "channels (input shape (None, 8, 8, 6))",
                                   conv.name())
                           .c_str(),
                       tkeras::Error);
  layers::Conv2D dilated(1, 3, {.dilation_rate = 3});
  CHECK_THROWS_WITH_AS(dilated.build({6, 9, 1}),
                       fmt::format("Conv2D \"{}\": kernel 3x3 dilated by 3x3 (spanning 7x7) is larger than its input "
                                   "6x9 (input shape (None, 6, 9, 1))",
                                   dilated.name())
                           .c_str(),
                       tkeras::Error);
}

TEST_CASE("Conv2D's config carries dilation_rate and groups as Keras writes them") {
  layers::Conv2D conv(8, {3, 5}, {.padding = "same", .dilation_rate = {2, 1}, .groups = 2});
  const tkeras::Config config = conv.get_config();
  CHECK(config["dilation_rate"] == tkeras::Config{2, 1});
  CHECK(config["groups"] == 2);
  const auto copy = layers::Conv2D::from_config(config);
  CHECK(copy->options().dilation_rate == layers::Size2(2, 1));
  CHECK(copy->options().groups == 2);
  CHECK(copy->build({6, 6, 4}) == tkeras::Shape{6, 6, 8});
  tkeras::Config keras = config;
  keras.erase("dilation_rate");
  keras.erase("groups");
  CHECK(layers::Conv2D::from_config(keras)->options().groups == 1);
  CHECK(layers::Conv2D::from_config(keras)->options().dilation_rate == layers::Size2(1));
}

TEST_CASE("the kernel Conv2D keeps for predict follows its weights as fit and set_weights change them") {
  const auto make = [] {
    return tkeras::Sequential({layers::Input({6, 6, 2}), layers::Conv2D(3, 3), layers::Flatten(), layers::Dense(2)});
  };
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model = make();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const torch::Tensor x = torch::randn({4, 6, 6, 2});
  const torch::Tensor y = torch::randn({4, 2});
  // What a model that kept nothing computes from the same weights.
  const auto fresh = [&] {
    tkeras::Sequential copy = make();
    copy.set_weights(model.get_weights());
    return copy.predict(x, {.verbose = 0});
  };
  const torch::Tensor before = model.predict(x, {.verbose = 0});
  model.fit(x, y, {.epochs = 2, .verbose = 0});
  const torch::Tensor after = model.predict(x, {.verbose = 0});
  CHECK_FALSE(torch::allclose(after, before));
  CHECK(torch::allclose(after, fresh()));
  std::vector<torch::Tensor> halved = model.get_weights();
  for (torch::Tensor& weight : halved) weight = weight * 0.5;
  model.set_weights(halved);
  CHECK(torch::allclose(model.predict(x, {.verbose = 0}), fresh()));
}
