// Tests for the Layer base: names, building, weights as module parameters, trainable, configs, AnyLayer.
#include "tkeras/layers/layer.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <functional>
#include <sstream>

#include "tkeras/core/error.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/reshape.h"

TEST_CASE("layers get unique Keras-style names per type") {
  const tkeras::layers::Flatten first;
  const tkeras::layers::Flatten second;
  CHECK(first.name().starts_with("flatten"));
  CHECK(second.name().starts_with("flatten_"));
  CHECK(first.name() != second.name());
}

TEST_CASE("a layer is built once, and another input shape is refused") {
  tkeras::layers::Dense dense(3);
  CHECK_FALSE(dense.built());
  CHECK_THROWS_WITH_AS(dense.output_shape(), doctest::Contains("output_shape is unknown until it is built"),
                       tkeras::Error);
  CHECK(dense.build({5}) == tkeras::Shape{3});
  CHECK(dense.build({5}) == tkeras::Shape{3});
  CHECK_THROWS_WITH_AS(
      dense.build({6}),
      fmt::format("Dense \"{}\": built for input shape (None, 5), received input shape (None, 6)", dense.name())
          .c_str(),
      tkeras::Error);
}

TEST_CASE("a non-positive input size is refused when building") {
  tkeras::layers::Dense dense(3);
  CHECK_THROWS_WITH_AS(dense.build({0}),
                       doctest::Contains("expected an input shape of positive sizes, received (None, 0)"),
                       tkeras::Error);
}

TEST_CASE("weights are listed, counted and trainable") {
  tkeras::layers::Dense dense(3);
  dense.build({4});
  REQUIRE(dense.weights().size() == 2);
  CHECK(dense.weights()[0].name == "kernel");
  CHECK(dense.weights()[1].name == "bias");
  CHECK(dense.count_params() == 15);
  CHECK(dense.trainable_weights().size() == 2);
  CHECK(dense.trainable_weights()[0].requires_grad());
}

TEST_CASE("moving a layer keeps the identity of its weights") {
  tkeras::layers::Dense dense(2);
  dense.build({2});
  const torch::Tensor kernel = dense.trainable_weights()[0];
  dense.to(torch::kCPU);
  CHECK(dense.trainable_weights()[0].is_same(kernel));
}

TEST_CASE("AnyLayer copies a layer value but shares a shared_ptr") {
  tkeras::layers::Dense value(2);
  const tkeras::layers::AnyLayer copied(value);
  CHECK(copied.get().get() != static_cast<tkeras::layers::Layer*>(&value));
  auto shared = std::make_shared<tkeras::layers::Dense>(2);
  const tkeras::layers::AnyLayer held(shared);
  CHECK(held.get() == shared);
}

TEST_CASE("a layer is a torch::nn::Module whose parameters are its trainable weights, under Keras's names") {
  tkeras::layers::Dense dense(3);
  dense.build({4});
  const auto parameters = dense.named_parameters();
  REQUIRE(parameters.size() == 2);
  CHECK(parameters.keys() == std::vector<std::string>{"kernel", "bias"});
  CHECK(parameters["kernel"].is_same(dense.weights()[0].value));
  CHECK(dense.named_buffers().is_empty());

  tkeras::layers::BatchNormalization norm;
  norm.build({5});
  CHECK(norm.named_parameters().keys() == std::vector<std::string>{"gamma", "beta"});
  CHECK(norm.named_buffers().keys() == std::vector<std::string>{"moving_mean", "moving_variance"});
  REQUIRE(norm.weights().size() == 4);
  CHECK_FALSE(norm.weights()[2].trainable);
}

TEST_CASE("forward follows the module's train and eval modes, as LibTorch's modules do") {
  tkeras::layers::Dropout dropout(0.5);
  dropout.build({100});
  const torch::Tensor x = torch::ones({2, 100});
  CHECK(dropout.is_training());  // LibTorch's default for a new module
  CHECK_FALSE(torch::equal(dropout.forward(x), x));
  dropout.eval();
  CHECK(torch::equal(dropout.forward(x), x));
}

TEST_CASE("set_trainable freezes a layer: no trainable weights, no gradients, and back") {
  tkeras::layers::Dense dense(3);
  dense.build({2});
  dense.set_trainable(false);
  CHECK_FALSE(dense.trainable());
  CHECK(dense.trainable_weights().empty());
  CHECK(dense.non_trainable_weights().size() == 2);
  CHECK_FALSE(dense.named_parameters()["kernel"].requires_grad());
  dense.set_trainable(true);
  CHECK(dense.trainable_weights().size() == 2);
  CHECK(dense.named_parameters()["kernel"].requires_grad());

  // Frozen before it is built, its weights are created frozen.
  tkeras::layers::Dense early(3);
  early.set_trainable(false);
  early.build({2});
  CHECK(early.trainable_weights().empty());
}

TEST_CASE("a frozen BatchNormalization normalises with its moving statistics in training too, as Keras 3's") {
  tkeras::layers::BatchNormalization norm;
  norm.build({3});
  const torch::Tensor x = torch::randn({8, 3}) * 4 + 2;
  const torch::Tensor moving_mean = norm.weights()[2].value.clone();
  norm.set_trainable(false);
  CHECK(torch::allclose(norm(x, /*training=*/true), norm(x, /*training=*/false)));
  CHECK(torch::equal(norm.weights()[2].value, moving_mean));
  norm.set_trainable(true);
  CHECK_FALSE(torch::allclose(norm(x, /*training=*/true), norm(x, /*training=*/false)));
}

TEST_CASE("get_weights and set_weights work per layer, checked before anything changes") {
  tkeras::layers::Dense dense(2);
  dense.build({3});
  std::vector<torch::Tensor> values = dense.get_weights();
  values[0].fill_(0.5);
  dense.set_weights(values);
  CHECK(torch::equal(dense.weights()[0].value, torch::full({3, 2}, 0.5)));
  const torch::Tensor kernel = dense.weights()[0].value.clone();
  CHECK_THROWS_WITH_AS(dense.set_weights({torch::zeros({3, 2})}), doctest::Contains("expected 2 tensors, received 1"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(dense.set_weights({torch::zeros({3, 2}), torch::zeros({3})}),
                       doctest::Contains("expected bias of shape [2], received [3]"), tkeras::Error);
  CHECK(torch::equal(dense.weights()[0].value, kernel));
}

TEST_CASE("every layer's get_config rebuilds it through from_config, with its name and trainable flag") {
  using namespace tkeras::layers;
  const std::vector<std::shared_ptr<Layer>> originals = {
      std::make_shared<Dense>(7, "tanh", false),
      std::make_shared<Conv2D>(4, Size2(3, 2), Conv2DOptions{.strides = 2, .padding = "same", .activation = "relu"}),
      std::make_shared<MaxPooling2D>(Size2(2, 3), Pooling2DOptions{.strides = Size2(1, 2), .padding = "same"}),
      std::make_shared<AveragePooling2D>(3),
      std::make_shared<GlobalAveragePooling2D>(),
      std::make_shared<BatchNormalization>(BatchNormalizationOptions{.momentum = 0.9, .epsilon = 0.01}),
      std::make_shared<Dropout>(0.25),
      std::make_shared<Flatten>(),
      std::make_shared<Rescaling>(0.5, -1.0),
      std::make_shared<Reshape>(tkeras::Shape{2, -1}),
      std::make_shared<Activation>("sigmoid"),
  };
  const std::vector<std::function<std::shared_ptr<Layer>(const tkeras::Config&)>> from_config = {
      Dense::from_config,
      Conv2D::from_config,
      MaxPooling2D::from_config,
      AveragePooling2D::from_config,
      GlobalAveragePooling2D::from_config,
      BatchNormalization::from_config,
      Dropout::from_config,
      Flatten::from_config,
      Rescaling::from_config,
      Reshape::from_config,
      Activation::from_config};
  for (size_t i = 0; i < originals.size(); ++i) {
    CAPTURE(originals[i]->class_name());
    originals[i]->set_trainable(i % 2 == 0);
    const tkeras::Config config = originals[i]->get_config();
    const std::shared_ptr<Layer> copy = from_config[i](config);
    CHECK(copy->class_name() == originals[i]->class_name());
    CHECK(copy->name() == originals[i]->name());
    CHECK(copy->trainable() == originals[i]->trainable());
    CHECK(copy->get_config() == config);
  }
}

TEST_CASE("from_config refuses a bad option, naming it and what it received") {
  using tkeras::layers::Dense;
  CHECK_THROWS_WITH_AS(Dense::from_config({{"units", "ten"}}),
                       "expected \"units\" as a positive integer, received \"ten\"", tkeras::Error);
  CHECK_THROWS_WITH_AS(Dense::from_config({{"activation", "relu"}}), "expected an option \"units\", found none",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(Dense::from_config({{"units", 2}, {"use_bias", 1}}),
                       "expected \"use_bias\" as true or false, received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(Dense::from_config({{"units", 2}, {"trainable", "no"}}),
                       "expected \"trainable\" as true or false, received \"no\"", tkeras::Error);
}

TEST_CASE("a layer prints as LibTorch prints modules, with its Keras options") {
  tkeras::layers::Dense dense(3, "relu");
  std::ostringstream out;
  dense.pretty_print(out);
  // Keras's objects by class name and the options they were given; options that are none, left out.
  CHECK(out.str() == fmt::format("Dense(name={}, activation=\"relu\", bias_initializer=Zeros, "
                                 "kernel_initializer=GlorotUniform, trainable=true, units=3, use_bias=true)",
                                 dense.name()));
  tkeras::layers::Dense regularized(3, {.kernel_regularizer = tkeras::regularizers::L2(0.5)});
  std::ostringstream printed;
  regularized.pretty_print(printed);
  CHECK(printed.str().find("kernel_regularizer=L2(l2=0.5)") != std::string::npos);
}
