// Tests for Sequential: building from Input, from data or build(), and adding layers.
#include "tkeras/models/sequential.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"

namespace layers = tkeras::layers;

TEST_CASE("a leading Input builds the model at once and is not listed as a layer") {
  tkeras::Sequential model({layers::Input({28, 28}), layers::Flatten(), layers::Dense(10)});
  CHECK(model.built());
  CHECK(model.layers().size() == 2);
  CHECK(model.input_shape() == tkeras::Shape{28, 28});
  CHECK(model.output_shape() == tkeras::Shape{10});
}

TEST_CASE("without Input the model is built by build() or by the first data it sees") {
  tkeras::Sequential model({layers::Dense(4), layers::Dense(2)});
  CHECK_FALSE(model.built());
  CHECK_THROWS_WITH_AS(model.input_shape(), doctest::Contains("unknown until the model is built"), tkeras::Error);
  model.build({3});
  CHECK(model.built());
  CHECK(model.count_params() == 3 * 4 + 4 + 4 * 2 + 2);

  tkeras::Sequential lazy({layers::Dense(2)});
  lazy.predict(torch::zeros({1, 7}), {.verbose = 0});
  CHECK(lazy.input_shape() == tkeras::Shape{7});
}

TEST_CASE("add appends layers, building them when the model is already built") {
  tkeras::Sequential model;
  model.add(layers::Input({5}));
  model.add(layers::Dense(3, "relu"));
  model.add(layers::Activation("softmax"));
  CHECK(model.output_shape() == tkeras::Shape{3});
  CHECK(model.output_layer().activation() == "softmax");
  CHECK(model.weights().size() == 2);
  CHECK(model.weights()[0].name == model.layers()[0]->name() + "/kernel");
}

TEST_CASE("an Input anywhere but first is refused") {
  tkeras::Sequential model({layers::Dense(3)});
  CHECK_THROWS_WITH_AS(model.add(layers::Input({2})),
                       fmt::format("Sequential \"{}\": expected Input as the first layer only, received it after 1 "
                                   "layer(s)",
                                   model.name())
                           .c_str(),
                       tkeras::Error);
}

TEST_CASE("build with another shape than the Input's is refused") {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(2)});
  CHECK_THROWS_WITH_AS(model.build({5}), doctest::Contains("expected input shape (None, 4), received (None, 5)"),
                       tkeras::Error);
}

TEST_CASE("models get unique Keras-style names") {
  const tkeras::Sequential a;
  const tkeras::Sequential b;
  CHECK(a.name().starts_with("sequential"));
  CHECK(a.name() != b.name());
}

TEST_CASE("call runs the layers in order, and call_without_activation stops before the last activation") {
  tkeras::Sequential model({layers::Input({3}), layers::Dense(4, "relu"), layers::Dense(2, "softmax")});
  const torch::Tensor x = torch::randn({5, 3});
  const torch::NoGradGuard no_grad;
  CHECK(torch::allclose(model.call(x), torch::softmax(model.call_without_activation(x, false), -1)));
}

TEST_CASE("a shared layer stays inspectable after it is added") {
  auto dense = std::make_shared<layers::Dense>(2);
  tkeras::Sequential model({layers::Input({3}), dense});
  CHECK(dense->built());
  CHECK(model.layers()[0] == dense);
}
