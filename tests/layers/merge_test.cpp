// Merge: Keras's broadcasting of sample shapes, list-only calls, ranks aligned after the batch axis.
#include "tkeras/layers/merge.h"

#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/add.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

TEST_CASE("merge shapes broadcast as Keras's: aligned at the last axis, each pair of sizes equal or one of them 1") {
  CHECK(layers::Merge::broadcast_shapes({3, 4}, {3, 4}) == Shape{3, 4});
  CHECK(layers::Merge::broadcast_shapes({4}, {3, 4}) == Shape{3, 4});
  CHECK(layers::Merge::broadcast_shapes({3, 4}, {4}) == Shape{3, 4});
  CHECK(layers::Merge::broadcast_shapes({3, 1}, {1, 5}) == Shape{3, 5});
  CHECK(layers::Merge::broadcast_shapes({2, 1, 4}, {6, 1}) == Shape{2, 6, 4});
  CHECK(layers::Merge::broadcast_shapes({}, {2, 3}) == Shape{2, 3});
  CHECK_FALSE(layers::Merge::broadcast_shapes({4}, {5}).has_value());
  CHECK_FALSE(layers::Merge::broadcast_shapes({3, 4}, {2, 4}).has_value());
  CHECK_FALSE(layers::Merge::broadcast_shapes({2, 3, 4}, {2, 4}).has_value());
}

TEST_CASE("a merge layer takes a list of tensors, and says so when given one") {
  tkeras::KerasTensor a = tkeras::Input({4});
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"}).build(Shape{4}),
                       "Add \"sum\": expected a list of tensors, received one of shape (None, 4)", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"})(torch::ones({2, 4})),
                       "Add \"sum\": expected a list of tensors (call_list), received one of shape [2, 4]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"})(a), doctest::Contains("Add \"sum\": expected a list of tensors"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"}).call_list({}, false),
                       "Add \"sum\": expected a list of tensors, received none", tkeras::Error);
  CHECK(layers::Add().takes_list());
  CHECK(layers::Add().supports_masking());
}

TEST_CASE("an input of lower rank gets axes of size 1 after the batch axis, so that the sample axes align at the end") {
  auto generator = at::detail::createCPUGenerator(7);
  const torch::Tensor x = torch::randn({2, 3, 4}, generator);
  const torch::Tensor y = torch::randn({2, 4}, generator);
  auto add = std::make_shared<layers::Add>();
  const tkeras::KerasTensor sum = (*add)({tkeras::Input({3, 4}), tkeras::Input({4})});
  CHECK(sum.shape() == Shape{3, 4});
  const torch::Tensor out = add->call_list({x, y}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 4});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) CHECK(torch::allclose(out[b][i], x[b][i] + y[b]));
  }
}

TEST_CASE("a list of one tensor passes through a merge, as in Keras 3") {
  const torch::Tensor x = torch::arange(6, torch::kFloat32).reshape({2, 3});
  auto add = std::make_shared<layers::Add>();
  const tkeras::KerasTensor a = tkeras::Input({3});
  CHECK((*add)(tkeras::KerasTensors{a}).shape() == Shape{3});
  CHECK(torch::equal(add->call_list({x}, false), x));
}

TEST_CASE("a merge layer is built for a list of shapes, and then runs on data") {
  auto generator = at::detail::createCPUGenerator(8);
  layers::Add add({.name = "sum"});
  CHECK(add.build_list({{3, 4}, {4}}) == Shape{3, 4});
  CHECK(add.input_shapes() == std::vector<Shape>{{3, 4}, {4}});
  CHECK(add.output_shape() == Shape{3, 4});
  const torch::Tensor x = torch::randn({2, 3, 4}, generator);
  const torch::Tensor y = torch::randn({2, 4}, generator);
  CHECK(torch::allclose(add.call_list({x, y}, false), x + y.unsqueeze(1)));
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"}).build_list({{4}, {5}}),
                       "Add \"sum\": expected input shapes that broadcast together (on each axis, counted from the "
                       "last, equal sizes or 1), received [(None, 4), (None, 5)]",
                       tkeras::Error);
}
