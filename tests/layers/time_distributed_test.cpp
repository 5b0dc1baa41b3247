// TimeDistributed: the wrapped layer on every step, its weights and config, training per step, errors.
#include "tkeras/layers/time_distributed.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/add.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/dense.h"

namespace layers = tkeras::layers;

TEST_CASE("TimeDistributed applies its layer to every step with one set of weights") {
  layers::TimeDistributed distributed(layers::Dense(1));
  CHECK(distributed.name().rfind("time_distributed", 0) == 0);
  CHECK(distributed.build({3, 2}) == tkeras::Shape{3, 1});
  distributed.set_weights({torch::tensor({{1.0F}, {2.0F}}), torch::tensor({0.5F})});
  const torch::Tensor x =
      torch::tensor({1.0F, 0.0F, 0.0F, 1.0F, 1.0F, 1.0F, 2.0F, 0.0F, 0.0F, 0.0F, 1.0F, -1.0F}).reshape({2, 3, 2});
  // Each step: x0 + 2 x1 + 0.5.
  const torch::Tensor expected = torch::tensor({1.5F, 2.5F, 3.5F, 2.5F, 0.5F, -0.5F}).reshape({2, 3, 1});
  CHECK(torch::allclose(distributed(x), expected));
  CHECK(torch::allclose(distributed(x, /*training=*/true), expected));
  const auto named = distributed.named_weights();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == "layer.kernel");
  CHECK(named[1].first == "layer.bias");
}

TEST_CASE("TimeDistributed keeps every axis of a step, and its mask") {
  layers::TimeDistributed distributed(layers::Dense(4));
  CHECK(distributed.build({5, 3, 2}) == tkeras::Shape{5, 3, 4});
  CHECK(distributed(torch::zeros({7, 5, 3, 2})).sizes() == torch::IntArrayRef{7, 5, 3, 4});
  const torch::Tensor mask = torch::tensor({{true, true, false, false, false}});
  CHECK(distributed.supports_masking());
  CHECK(torch::equal(distributed.compute_mask(torch::zeros({1, 5, 3, 2}), mask), mask));
}

TEST_CASE("TimeDistributed trains each step as its own call, as Keras's loop over the steps") {
  // A BatchNormalization in training normalises each step by that step's batch statistics: step 0
  // holds 0 and 2 (mean 1, variance 1), step 1 holds 10 and 30 (mean 20, variance 100); both
  // become about -1 and 1. Joined into one batch they would not.
  layers::TimeDistributed distributed{layers::BatchNormalization()};
  distributed.build({2, 1});
  const torch::Tensor x = torch::tensor({0.0F, 10.0F, 2.0F, 30.0F}).reshape({2, 2, 1});
  const torch::Tensor y = distributed(x, /*training=*/true);
  const torch::Tensor expected = torch::tensor({-1.0F, -1.0F, 1.0F, 1.0F}).reshape({2, 2, 1});
  CHECK(torch::allclose(y, expected, /*rtol=*/0, /*atol=*/1e-3));
}

TEST_CASE("TimeDistributed's config nests its layer's, as Keras's wrappers") {
  auto dense = std::make_shared<layers::Dense>(3, "relu");
  layers::TimeDistributed distributed(dense);
  CHECK(&distributed.layer() == dense.get());  // a layer given by pointer is shared, as in Keras
  CHECK(distributed.activation() == "relu");
  const tkeras::Config config = distributed.get_config();
  CHECK(config["layer"]["class_name"] == "Dense");
  CHECK(config["layer"]["config"]["units"] == 3);
  CHECK(config["layer"]["config"]["name"] == dense->name());
  const auto again = layers::TimeDistributed::from_config(config);
  CHECK(again->layer().class_name() == "Dense");
  CHECK(again->get_config() == config);
}

TEST_CASE("TimeDistributed refuses inputs without steps, layers that take lists and configs without a layer") {
  layers::TimeDistributed distributed(layers::Dense(2));
  distributed.set_name("each");
  CHECK_THROWS_WITH_AS(distributed.build({4}),
                       "TimeDistributed \"each\": expected input of rank 3 or more (batch, steps, ...), received "
                       "(None, 4)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TimeDistributed(layers::Add()), doctest::Contains("expected a layer of one input"),
                       tkeras::Error);
  CHECK_THROWS_AS(layers::TimeDistributed::from_config(tkeras::Config::object()), tkeras::Error);
}
