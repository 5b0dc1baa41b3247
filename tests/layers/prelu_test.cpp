// Tests for PReLU: its weight alpha (Keras's shape and name), its slope, its gradient, its config.
#include "tkeras/layers/prelu.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("PReLU's alpha has the input's shape, 1 along shared axes, and starts at zeros") {
  layers::PReLU per_value;
  per_value.build({4, 5, 3});
  REQUIRE(per_value.weights().size() == 1);
  CHECK(per_value.weights()[0].name == "alpha");
  CHECK(per_value.weights()[0].trainable);
  CHECK(per_value.alpha().sizes().vec() == std::vector<int64_t>{4, 5, 3});
  CHECK(torch::equal(per_value.alpha(), torch::zeros({4, 5, 3})));
  layers::PReLU per_channel({.shared_axes = {1, 2}});
  per_channel.build({4, 5, 3});
  CHECK(per_channel.alpha().sizes().vec() == std::vector<int64_t>{1, 1, 3});
  CHECK(per_channel.name().starts_with("p_re_lu"));  // Keras's name for PReLU
  layers::PReLU ones({.alpha_initializer = "Ones"});
  ones.build({2});
  CHECK(torch::equal(ones.alpha(), torch::ones({2})));
}

TEST_CASE("PReLU is x above 0 and alpha * x below, per shared slope") {
  layers::PReLU prelu({.shared_axes = {1}});
  prelu.build({2, 2});
  prelu.set_weights({torch::tensor({{0.25f, 0.5f}})});
  const torch::Tensor x = torch::tensor({{{-4.0f, -4.0f}, {2.0f, -2.0f}}});
  CHECK(torch::equal(prelu(x), torch::tensor({{{-1.0f, -2.0f}, {2.0f, -1.0f}}})));
}

TEST_CASE("PReLU trains alpha: its gradient is the sum of min(x, 0) over the values it covers") {
  layers::PReLU prelu({.shared_axes = {1}});
  prelu.build({2, 2});
  const torch::Tensor x = torch::tensor({{{-4.0f, 1.0f}, {2.0f, -2.0f}}, {{-1.0f, 3.0f}, {-0.5f, -3.0f}}});
  prelu(x, /*training=*/true).sum().backward();
  const torch::Tensor grad = prelu.alpha().grad();
  REQUIRE(grad.defined());
  CHECK(prelu.parameters().size() == 1);  // what an optimizer over the module updates
  // Channel 0: -4 - 1 - 0.5; channel 1: -2 - 3.
  CHECK(torch::allclose(grad, torch::tensor({{-5.5f, -5.0f}})));
}

TEST_CASE("PReLU refuses other initializers and shared axes outside the input") {
  CHECK_THROWS_WITH_AS(layers::PReLU({.alpha_initializer = "glorot_uniform"}),
                       "PReLU: expected alpha_initializer \"zeros\" or \"ones\", received \"glorot_uniform\"",
                       tkeras::Error);
  layers::PReLU batch({.shared_axes = {0}});
  CHECK_THROWS_WITH_AS(batch.build({4, 3}),
                       "PReLU: expected shared_axes in [1, 2] for inputs (None, 4, 3), received [0]", tkeras::Error);
}

TEST_CASE("PReLU's config holds Keras's initializer object and shared_axes, and reads Keras's forms") {
  const tkeras::Config config = layers::PReLU({.shared_axes = {1, 2}}).get_config();
  CHECK(config.at("alpha_initializer").at("class_name") == "Zeros");
  CHECK(config.at("alpha_initializer").at("module") == "keras.initializers");
  CHECK(config.at("shared_axes") == tkeras::Config({1, 2}));
  CHECK_FALSE(config.contains("alpha_regularizer"));  // not honoured, so a Keras file with one is refused
  CHECK(layers::PReLU::from_config(config)->options().shared_axes == std::vector<int64_t>{1, 2});
  CHECK(layers::PReLU().get_config().at("shared_axes").is_null());
  CHECK(layers::PReLU::from_config({{"shared_axes", 2}})->options().shared_axes == std::vector<int64_t>{2});
  const tkeras::Config ones = {{"alpha_initializer", {{"class_name", "Ones"}, {"config", tkeras::Config::object()}}}};
  CHECK(layers::PReLU::from_config(ones)->options().alpha_initializer == "ones");
  const tkeras::Config constant = {{"alpha_initializer", {{"class_name", "Constant"}, {"config", {{"value", 0.25}}}}}};
  CHECK_THROWS_AS(layers::PReLU::from_config(constant), tkeras::Error);
  CHECK_THROWS_AS(layers::PReLU::from_config({{"shared_axes", "1"}}), tkeras::Error);
}
