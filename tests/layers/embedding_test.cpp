// Tests for Embedding: the lookup, integer inputs through fit and predict, range errors, the mask.
#include "tkeras/layers/embedding.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lambda.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;

TEST_CASE("Embedding appends output_dim to the input shape and starts uniform in [-0.05, 0.05]") {
  layers::Embedding embedding(1000, 16);
  CHECK(embedding.build({12}) == tkeras::Shape{12, 16});
  const auto weights = embedding.weights();
  REQUIRE(weights.size() == 1);
  CHECK(weights[0].name == "embeddings");
  CHECK(weights[0].value.sizes().vec() == std::vector<int64_t>{1000, 16});
  CHECK(weights[0].value.abs().max().item<double>() <= 0.05);
  CHECK(weights[0].value.std().item<double>() > 0.02);
}

TEST_CASE("Embedding looks up one row per id, truncating floating-point ids as Keras casts them") {
  layers::Embedding embedding(5, 3);
  embedding.build({2});
  const torch::Tensor table = embedding.weights()[0].value;
  const torch::NoGradGuard no_grad;
  const torch::Tensor out = embedding(torch::tensor({{4, 0}, {2, 2}}));
  CHECK(out.sizes().vec() == std::vector<int64_t>{2, 2, 3});
  CHECK(torch::equal(out[0][0], table[4]));
  CHECK(torch::equal(out[1][1], table[2]));
  CHECK(torch::equal(embedding(torch::tensor({{1.7, 3.2}})), embedding(torch::tensor({{1, 3}}))));
}

TEST_CASE("Embedding names the ids out of range and input_dim") {
  layers::Embedding embedding(10, 2);
  embedding.build({3});
  const std::string message = "Embedding \"" + embedding.name() +
                              "\": expected token ids in [0, 10) (input_dim = 10), received ids from 1 to 12; raise "
                              "input_dim to at least 13 or map the ids into range";
  CHECK_THROWS_WITH_AS(embedding(torch::tensor({{1, 12, 3}})), message.c_str(), tkeras::Error);
  CHECK_THROWS_WITH_AS(embedding(torch::tensor({{-1, 0, 3}})), doctest::Contains("received ids from -1 to 3"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Embedding(0, 2), doctest::Contains("expected a positive input_dim"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Embedding(3, -2), "Embedding: expected a positive output_dim, received -2",
                       tkeras::Error);
}

TEST_CASE("Embedding with mask_zero masks id 0 and passes the mask on, without it none") {
  layers::Embedding masking(10, 2, {.mask_zero = true});
  layers::Embedding plain(10, 2);
  const torch::Tensor ids = torch::tensor({{0, 0, 3, 4}, {5, 6, 0, 0}});
  CHECK(torch::equal(masking.compute_mask(ids, {}), ids != 0));
  CHECK(masking.supports_masking());
  CHECK_FALSE(plain.compute_mask(ids, {}).defined());
  CHECK_FALSE(plain.supports_masking());
}

TEST_CASE("a model that starts with Embedding trains on integer ids as they are") {
  // Each sequence's class is whether it holds token 1 or token 2: an embedding learns it at once.
  torch::manual_seed(0);
  const torch::Tensor y = torch::randint(2, {64}, torch::kLong);
  const torch::Tensor x = torch::randint(3, 8, {64, 4}, torch::kLong);
  x.select(1, 2).copy_(y + 1);
  tkeras::Sequential model({layers::Embedding(8, 4), layers::Flatten(), layers::Dense(2, "softmax")});
  CHECK(model.takes_integer_inputs());
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.05}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  const tkeras::History history = model.fit(x, y, {.epochs = 20, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("accuracy").back() == 1.0);
  // Ids above 2^24 would not survive a float32: they stay integers all the way.
  tkeras::Sequential wide({layers::Embedding((1 << 24) + 2, 1)});
  CHECK(wide.predict(torch::tensor({{(1 << 24) + 1}}), {.verbose = 0}).sizes().vec() == std::vector<int64_t>{1, 1, 1});
}

TEST_CASE("Embedding's options survive saving and loading") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Embedding(20, 3, {.mask_zero = true})});
  model.build({5});
  model.save(dir.path() / "m.tkeras");
  const auto loaded = tkeras::models::load_model(dir.path() / "m.tkeras");
  const auto embedding = std::dynamic_pointer_cast<layers::Embedding>(loaded->layers()[0]);
  REQUIRE(embedding);
  CHECK(embedding->input_dim() == 20);
  CHECK(embedding->output_dim() == 3);
  CHECK(embedding->mask_zero());
  const torch::Tensor ids = torch::tensor({{1, 0, 19, 4, 0}});
  CHECK(torch::equal(loaded->predict(ids, {.verbose = 0}), model.predict(ids, {.verbose = 0})));
}

TEST_CASE("fit and evaluate refuse a model whose output carries the mask, which Keras would weigh the loss by") {
  tkeras::Sequential model({layers::Embedding(10, 3, {.mask_zero = true}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const torch::Tensor ids = torch::tensor({{1, 0}, {2, 3}});
  const torch::Tensor y = torch::zeros({2, 2, 1});
  CHECK_THROWS_WITH_AS(model.fit(ids, y, {.verbose = 0}),
                       doctest::Contains("fit: the model's output carries the mask of Embedding(mask_zero = true)"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.evaluate(ids, y, {.verbose = 0}), doctest::Contains("Keras would weigh the loss by it"),
                       tkeras::Error);
  CHECK(model.predict(ids, {.verbose = 0}).sizes().vec() == std::vector<int64_t>{2, 2, 1});
  // Without mask_zero, or with the mask ended by Flatten, the same data trains.
  tkeras::Sequential flat({layers::Embedding(10, 3, {.mask_zero = true}), layers::Flatten(), layers::Dense(2)});
  flat.compile({.optimizer = "sgd", .loss = "mse"});
  CHECK_NOTHROW(flat.fit(ids, torch::zeros({2, 2}), {.verbose = 0}));
}

TEST_CASE("a model without a masking Embedding is not run once more to look for an output mask") {
  int calls = 0;
  tkeras::Sequential model({layers::Input({2}),
                            layers::Lambda(
                                [&calls](const torch::Tensor& x) {
                                  ++calls;
                                  return x;
                                },
                                {.name = "count_calls"}),
                            layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  calls = 0;
  model.fit(torch::zeros({4, 2}), torch::zeros({4, 1}), {.batch_size = 4, .verbose = 0});
  CHECK(calls == 1);  // the one train step
}
