// Tests for Conv1D: Keras's kernel layout, output lengths for each padding, causality, errors.
#include "tkeras/layers/conv1d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Conv1D keeps Keras's kernel layout and output lengths") {
  layers::Conv1D valid(8, 3);
  CHECK(valid.build({10, 4}) == tkeras::Shape{8, 8});
  CHECK(valid.weights()[0].value.sizes().vec() == std::vector<int64_t>{3, 4, 8});
  CHECK(valid.count_params() == 3 * 4 * 8 + 8);
  CHECK(layers::Conv1D(2, 4, {.strides = 3, .padding = "same"}).build({10, 1}) == tkeras::Shape{4, 2});
  CHECK(layers::Conv1D(2, 5, {.padding = "causal"}).build({10, 1}) == tkeras::Shape{10, 2});
  CHECK(layers::Conv1D(2, 3, {.dilation_rate = 2}).build({10, 1}) == tkeras::Shape{6, 2});
}

TEST_CASE("Conv1D computes Keras's cross-correlation over channels-last steps") {
  layers::Conv1D conv(1, 2, {.use_bias = false});
  conv.build({4, 1});
  const torch::NoGradGuard no_grad;
  conv.weights()[0].value.copy_(torch::tensor({1.0F, 10.0F}).reshape({2, 1, 1}));
  const torch::Tensor x = torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}).reshape({1, 4, 1});
  CHECK(torch::equal(conv(x).flatten(), torch::tensor({21.0F, 32.0F, 43.0F})));
}

TEST_CASE("a causal Conv1D's output at step t sees no input after t") {
  layers::Conv1D conv(3, 4, {.padding = "causal", .dilation_rate = 2});
  conv.build({12, 2});
  const torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({1, 12, 2});
  torch::Tensor changed = x.clone();
  changed.narrow(1, 7, 5).add_(1.0);
  const torch::Tensor before = conv(x);
  const torch::Tensor after = conv(changed);
  CHECK(torch::equal(before.narrow(1, 0, 7), after.narrow(1, 0, 7)));
  CHECK_FALSE(torch::equal(before.narrow(1, 7, 5), after.narrow(1, 7, 5)));
}

TEST_CASE("Conv1D refuses bad sizes, paddings, inputs and options tkeras lacks") {
  CHECK_THROWS_WITH_AS(layers::Conv1D(0, 3), "Conv1D: expected a positive filters, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv1D(2, 3, {.padding = "full"}),
                       doctest::Contains("\"valid\", \"same\" or \"causal\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv1D(2, 3, {.strides = 2, .dilation_rate = 2}),
                       doctest::Contains("strides > 1 is not compatible with dilation_rate > 1"), tkeras::Error);
  layers::Conv1D conv(2, 3);
  CHECK_THROWS_WITH_AS(conv.build({10}), doctest::Contains("add the channel axis with Reshape({10, 1})"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Conv1D(2, 5).build({3, 1}),
                       doctest::Contains("a kernel of 5 steps is longer than its input of 3 steps"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      layers::Conv1D::from_config({{"filters", 2}, {"kernel_size", {3}}, {"data_format", "channels_first"}}),
      doctest::Contains("data_format \"channels_first\" is not supported"), tkeras::Error);
  const layers::Conv1D same(4, 3, {.strides = 2, .padding = "same", .activation = "relu"});
  CHECK(layers::Conv1D::from_config(same.get_config())->get_config() == same.get_config());
}
