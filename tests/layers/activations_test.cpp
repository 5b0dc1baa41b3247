// Tests for activations by name.
#include "tkeras/layers/activations.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

TEST_CASE("every documented activation is known by name") {
  CHECK(tkeras::activations::names() == std::vector<std::string>{"linear", "relu", "sigmoid", "softmax", "tanh"});
  const torch::Tensor x = torch::tensor({{-1.0f, 0.0f, 2.0f}});
  CHECK(torch::equal(tkeras::activations::get("relu")(x), torch::tensor({{0.0f, 0.0f, 2.0f}})));
  CHECK(torch::equal(tkeras::activations::get("linear")(x), x));
  CHECK(torch::equal(tkeras::activations::get("")(x), x));
  CHECK(torch::allclose(tkeras::activations::get("tanh")(x), torch::tanh(x)));
  CHECK(torch::allclose(tkeras::activations::get("sigmoid")(x), torch::sigmoid(x)));
}

TEST_CASE("softmax acts on the last axis, so each row sums to 1") {
  const torch::Tensor p = tkeras::activations::get("softmax")(torch::randn({4, 3}));
  CHECK(torch::allclose(p.sum(-1), torch::ones({4})));
}

TEST_CASE("an unknown activation lists the valid names") {
  CHECK_THROWS_WITH_AS(tkeras::activations::get("relux"),
                       "unknown activation \"relux\"; expected one of: linear, relu, sigmoid, softmax, tanh",
                       tkeras::Error);
}

TEST_CASE("the canonical name of no activation is linear") {
  CHECK(tkeras::activations::canonical_name("") == "linear");
  CHECK(tkeras::activations::canonical_name("relu") == "relu");
}
