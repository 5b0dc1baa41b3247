// Tests for tkeras/regularizers/regularizer.h: the penalties, their names and configs.
#include "tkeras/regularizers/regularizer.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/initializers/constant.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/model.h"
#include "tkeras/models/sequential.h"

namespace regularizers = tkeras::regularizers;
namespace layers = tkeras::layers;

TEST_CASE("L1, L2 and L1L2 sum the absolute values and squares") {
  const torch::Tensor x = torch::tensor({{1.0f, -2.0f}, {3.0f, 0.5f}});
  CHECK(regularizers::L1(0.1)(x).item<double>() == doctest::Approx(0.1 * 6.5));
  CHECK(regularizers::L2()(x).item<double>() == doctest::Approx(0.01 * 14.25));
  CHECK(regularizers::L1L2(0.1, 0.2)(x).item<double>() == doctest::Approx(0.1 * 6.5 + 0.2 * 14.25));
  CHECK(regularizers::L1L2()(x).item<double>() == 0.0);
  CHECK(regularizers::L2()(x).dim() == 0);
}

TEST_CASE("OrthogonalRegularizer is zero for orthogonal rows and grows with their overlap") {
  CHECK(regularizers::OrthogonalRegularizer()(torch::eye(3)).item<double>() == doctest::Approx(0.0));
  // Two unit rows at 60 degrees: one pair, product 0.5 twice off the diagonal.
  const torch::Tensor rows = torch::tensor({{1.0f, 0.0f}, {0.5f, std::sqrt(0.75f)}});
  CHECK(regularizers::OrthogonalRegularizer({.factor = 1.0})(rows).item<double>() == doctest::Approx(0.5 * 1.0 / 1.0));
  CHECK(regularizers::OrthogonalRegularizer({.factor = 1.0, .mode = "columns"})(rows.t()).item<double>() ==
        doctest::Approx(0.5));
  CHECK_THROWS_WITH_AS(regularizers::OrthogonalRegularizer()(torch::ones({2, 2, 2})), doctest::Contains("rank 2"),
                       tkeras::Error);
  CHECK_THROWS_AS(regularizers::OrthogonalRegularizer({.mode = "diagonal"}), tkeras::Error);
}

TEST_CASE("factors must be finite and not negative, as Keras's") {
  CHECK_THROWS_WITH_AS(regularizers::L2(-1.0), doctest::Contains("l2"), tkeras::Error);
  CHECK_THROWS_AS(regularizers::L1(std::nan("")), tkeras::Error);
}

TEST_CASE("get takes Keras's names, and none is no regularizer") {
  CHECK(regularizers::get(nullptr) == nullptr);
  CHECK(regularizers::get("l2")->get_config() == tkeras::Config{{"l2", 0.01}});
  CHECK(regularizers::get("L1L2")->class_name() == "L1L2");
  CHECK(regularizers::get("l1l2")->class_name() == "L1L2");
  CHECK(regularizers::get("orthogonal_regularizer")->class_name() == "OrthogonalRegularizer");
  CHECK_THROWS_WITH_AS(regularizers::get("l3"), doctest::Contains("unknown regularizer \"l3\""), tkeras::Error);
}

TEST_CASE("configs are Keras's, float32 factors where Keras keeps tensors, and read back") {
  CHECK(regularizers::L1(0.01).get_config()["l1"].get<double>() == static_cast<double>(0.01f));
  const tkeras::Config saved = regularizers::serialize(regularizers::L1L2(0.5, 0.25));
  CHECK(saved == tkeras::Config{{"module", "keras.regularizers"},
                                {"class_name", "L1L2"},
                                {"config", {{"l1", 0.5}, {"l2", 0.25}}},
                                {"registered_name", nullptr}});
  CHECK(regularizers::deserialize(saved)->get_config() == saved["config"]);
  CHECK(regularizers::deserialize(nullptr) == nullptr);
  CHECK(regularizers::serialize(regularizers::Identifier()).is_null());
  CHECK_THROWS_WITH_AS(regularizers::deserialize({{"class_name", "L2"}, {"config", {{"l1", 1.0}}}}),
                       doctest::Contains("l1"), tkeras::Error);
}

TEST_CASE("evaluate's loss is the compiled loss plus each trainable weight's penalty, as Keras's model.losses") {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({16, 3});
  const torch::Tensor y = torch::randn({16, 2});
  tkeras::Sequential plain({layers::Input({3}), layers::Dense(2)});
  tkeras::Sequential penalized(
      {layers::Input({3}), layers::Dense(2, {.kernel_regularizer = regularizers::L2(0.5), .bias_regularizer = "l1"})});
  penalized.set_weights(plain.get_weights());
  plain.compile({.optimizer = "sgd", .loss = "mse"});
  penalized.compile({.optimizer = "sgd", .loss = "mse"});
  const std::vector<torch::Tensor> weights = plain.get_weights();
  const double penalty = 0.5 * weights[0].square().sum().item<double>() + 0.01 * weights[1].abs().sum().item<double>();
  const double loss = plain.evaluate(x, y, {.verbose = 0}).at("loss");
  CHECK(penalized.evaluate(x, y, {.verbose = 0}).at("loss") == doctest::Approx(loss + penalty).epsilon(1e-5));

  // A frozen layer's weights are not trainable, so their penalty is not counted (Keras's
  // trainable_weights).
  penalized.layers().back()->set_trainable(false);
  penalized.compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(penalized.evaluate(x, y, {.verbose = 0}).at("loss") == doctest::Approx(loss).epsilon(1e-6));
}

TEST_CASE("fit's gradient step includes the penalty's gradient") {
  // With a zero target and zero inputs the loss has no gradient: only L2 moves the kernel, by
  // lr * 2 * l2 * w per step.
  tkeras::Sequential model({layers::Input({2}), layers::Dense(1, {.use_bias = false,
                                                                  .kernel_initializer = tkeras::initializers::Ones(),
                                                                  .kernel_regularizer = regularizers::L2(0.25)})});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const tkeras::History history =
      model.fit(torch::zeros({4, 2}), torch::zeros({4, 1}), {.epochs = 1, .batch_size = 4, .verbose = 0});
  // SGD's default learning rate 0.01: w = 1 - 0.01 * 2 * 0.25 * 1.
  CHECK(torch::allclose(model.get_weights()[0], torch::full({2, 1}, 0.995f), 1e-6, 1e-6));
  // The logged loss is the penalty before the step: 0.25 * (1 + 1).
  CHECK(history.history.at("loss").front() == doctest::Approx(0.5));
}

TEST_CASE("a layer's regularizer is in its config and comes back from it") {
  const layers::Embedding embedding(10, 4, {.embeddings_regularizer = regularizers::L1L2(0.1, 0.2)});
  const tkeras::Config config = embedding.get_config();
  CHECK(config["embeddings_regularizer"]["class_name"] == "L1L2");
  const auto read = layers::Embedding::from_config(config);
  CHECK(read->get_config()["embeddings_regularizer"] == config["embeddings_regularizer"]);
  CHECK_THROWS_WITH_AS(layers::Dense(2, {.kernel_regularizer = "l5"}), doctest::Contains("Dense"), tkeras::Error);
}

TEST_CASE("an activity regularizer adds its penalty on the layer's outputs over the batch size, as Keras 3's") {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({8, 3});
  const torch::Tensor y = torch::randint(0, 2, {8}).to(torch::kLong);
  tkeras::Sequential plain({layers::Input({3}), layers::Dense(4, "relu"), layers::Dense(2, "softmax")});
  tkeras::Sequential penalized({layers::Input({3}),
                                layers::Dense(4, "relu", {.activity_regularizer = regularizers::L1(0.2)}),
                                layers::Dense(2, "softmax", {.activity_regularizer = "l2"})});
  penalized.set_weights(plain.get_weights());
  for (tkeras::Sequential* model : {&plain, &penalized}) {
    model->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
  }
  const torch::Tensor hidden = plain.layers()[0]->call(x, false);
  const torch::Tensor probabilities = plain.predict(x, {.verbose = 0});
  // The last layer's penalty is on its probabilities (after softmax), not its logits.
  const double penalty =
      0.2 * hidden.abs().sum().item<double>() / 8 + 0.01 * probabilities.square().sum().item<double>() / 8;
  const double loss = plain.evaluate(x, y, {.verbose = 0}).at("loss");
  CHECK(penalized.evaluate(x, y, {.verbose = 0}).at("loss") == doctest::Approx(loss + penalty).epsilon(1e-5));
  // predict has no loss: the same outputs.
  CHECK(torch::allclose(penalized.predict(x, {.verbose = 0}), probabilities));
  // In the config as Keras's base Layer option, and back.
  const tkeras::Config config = penalized.layers()[0]->get_config();
  CHECK(config["activity_regularizer"]["class_name"] == "L1");
  CHECK(layers::Dense::from_config(config)->activity_regularizer() != nullptr);
  CHECK_FALSE(plain.layers()[0]->get_config().contains("activity_regularizer"));
}

TEST_CASE("set_activity_regularizer gives any layer one, in Functional models too") {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({6, 2});
  const torch::Tensor y = torch::randn({6, 2});
  const tkeras::KerasTensor inputs = tkeras::Input({2});
  auto flatten = std::make_shared<layers::Flatten>();
  flatten->set_activity_regularizer(regularizers::L2(1.0));
  tkeras::Model model(inputs, (*flatten)(inputs));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const double mse = (x - y).square().mean().item<double>();
  CHECK(model.evaluate(x, y, {.verbose = 0}).at("loss") ==
        doctest::Approx(mse + x.square().sum().item<double>() / 6).epsilon(1e-5));
  CHECK_THROWS_AS(flatten->set_activity_regularizer("l9"), tkeras::Error);
}
