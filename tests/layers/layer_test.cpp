// Tests for the Layer base: names, building, weights and AnyLayer.
#include "tkeras/layers/layer.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"

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
  CHECK_THROWS_WITH_AS(dense.output_shape(), doctest::Contains("unknown until the layer is built"), tkeras::Error);
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
