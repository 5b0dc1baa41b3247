// Tests for EinsumDense: Keras's kernel and bias shapes for its three equation forms, the einsum
// itself, its checks and its config.
#include "tkeras/layers/einsum_dense.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

std::vector<int64_t> shape_of(const layers::EinsumDense& layer, const std::string& weight) {
  for (const auto& [name, value] : layer.named_weights()) {
    if (name == weight) return value.sizes().vec();
  }
  return {};
}

}  // namespace

TEST_CASE("EinsumDense as Dense contracts the features with its kernel and adds its bias") {
  torch::manual_seed(1);
  layers::EinsumDense dense("ab,bc->ac", {4}, {.bias_axes = "c"});
  CHECK(dense.build({5}) == tkeras::Shape{4});
  CHECK(shape_of(dense, "kernel") == std::vector<int64_t>{5, 4});
  CHECK(shape_of(dense, "bias") == std::vector<int64_t>{4});
  const auto weights = dense.get_weights();
  dense.set_weights({weights[0], torch::arange(4, torch::kFloat32)});
  const torch::Tensor x = torch::randn({3, 5});
  CHECK(torch::allclose(dense(x), x.matmul(weights[0]) + torch::arange(4, torch::kFloat32), 1e-5, 1e-6));
}

TEST_CASE("EinsumDense's kernel and bias shapes follow Keras's analysis of each equation form") {
  // Steps projected to heads: the steps' size comes from the input (output_shape's None).
  layers::EinsumDense heads("abc,cde->abde", {-1, 2, 3}, {.bias_axes = "de"});
  CHECK(heads.build({6, 5}) == tkeras::Shape{6, 2, 3});
  CHECK(shape_of(heads, "kernel") == std::vector<int64_t>{5, 2, 3});
  CHECK(shape_of(heads, "bias") == std::vector<int64_t>{2, 3});
  // "..." on the left: the leading axes pass through, in order (Keras's symbolic shape swaps them, reading
  // (None, 4, 3, 2), while its einsum computes (None, 3, 4, 2); tkeras gives the shape computed).
  layers::EinsumDense left("...b,bc->...c", {2}, {.bias_axes = "c"});
  CHECK(left.build({3, 4, 5}) == tkeras::Shape{3, 4, 2});
  CHECK(shape_of(left, "kernel") == std::vector<int64_t>{5, 2});
  // "..." on the right: the trailing axes pass through, and the bias gets a 1 for each.
  layers::EinsumDense right("ab...,bc->ac...", {3}, {.bias_axes = "c"});
  CHECK(right.build({5, 4}) == tkeras::Shape{3, 4});
  CHECK(shape_of(right, "kernel") == std::vector<int64_t>{5, 3});
  CHECK(shape_of(right, "bias") == std::vector<int64_t>{3, 1});
  const torch::Tensor x = torch::randn({2, 5, 4});
  CHECK(torch::allclose(right(x), torch::einsum("abd,bc->acd", {x, right.get_weights()[0]}), 1e-5, 1e-6));
}

TEST_CASE("EinsumDense refuses equations Keras refuses, and output sizes the input contradicts") {
  CHECK_THROWS_WITH_AS(layers::EinsumDense("ab,bc", {4}), doctest::Contains("expected an equation as in,kernel->out"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::EinsumDense("a...b,bc->ac", {4}), doctest::Contains("received \"a...b,bc->ac\""),
                       tkeras::Error);
  layers::EinsumDense wrong_rank("abc,cd->abd", {-1, 4});
  CHECK_THROWS_WITH_AS(wrong_rank.build({5}), doctest::Contains("expects inputs of rank 3, received rank 2"),
                       tkeras::Error);
  layers::EinsumDense contradicted("abc,cd->abd", {7, 4});
  CHECK_THROWS_WITH_AS(contradicted.build({6, 5}), doctest::Contains("shared axis 'b': 6 and 7"), tkeras::Error);
}

TEST_CASE("EinsumDense's config keeps Keras's nulls in output_shape and round-trips") {
  layers::EinsumDense heads("abc,cde->abde", {-1, 2, 3}, {.activation = "relu", .bias_axes = "de"});
  const tkeras::Config config = heads.get_config();
  CHECK(config.at("output_shape") == tkeras::Config::array({nullptr, 2, 3}));
  CHECK(config.at("bias_axes") == "de");
  const auto again = layers::EinsumDense::from_config(config);
  CHECK(again->equation() == "abc,cde->abde");
  CHECK(again->activation() == "relu");
  CHECK(again->get_config().at("output_shape") == config.at("output_shape"));
  CHECK(layers::EinsumDense("ab,bc->ac", {4}).get_config().at("bias_axes").is_null());
}
