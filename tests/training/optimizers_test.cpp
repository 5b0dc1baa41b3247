// Tests for optimizers: names, Keras's defaults, options, their checks and Keras's update rules.
#include "tkeras/training/optimizers.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

namespace optimizers = tkeras::optimizers;

TEST_CASE("optimizers by name carry Keras's default learning rates") {
  CHECK(optimizers::Optimizer("adam").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("sgd").learning_rate() == 0.01);
  CHECK(optimizers::Optimizer("rmsprop").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("rmsprop").name() == "rmsprop");
  CHECK(std::get<optimizers::RMSpropOptions>(optimizers::Optimizer("rmsprop").options()).rho == 0.9);
}

TEST_CASE("an unknown optimizer name lists the valid ones") {
  CHECK_THROWS_WITH_AS(optimizers::Optimizer("adamax"),
                       "compile: unknown optimizer \"adamax\"; expected one of: adagrad, adam, adamw, rmsprop, sgd",
                       tkeras::Error);
}

TEST_CASE("optimizer objects keep their options") {
  const optimizers::Optimizer adam = optimizers::Adam({.learning_rate = 0.05, .beta_1 = 0.8});
  CHECK(adam.name() == "adam");
  CHECK(adam.learning_rate() == 0.05);
  CHECK(std::get<optimizers::AdamOptions>(adam.options()).beta_1 == 0.8);
  CHECK(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}).name() == "sgd");
}

TEST_CASE("bad optimizer options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adam({.learning_rate = -0.1}), "Adam: expected a learning_rate >= 0, received -0.1",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.learning_rate = std::nan("")}),
                       "SGD: expected a learning_rate >= 0, received nan", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Adam({.beta_2 = 1.0}), "Adam: expected beta_2 in [0, 1), received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.momentum = -0.5}), "SGD: expected a momentum >= 0, received -0.5",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::RMSprop({.rho = 1.5}), "RMSprop: expected rho in [0, 1), received 1.5",
                       tkeras::Error);
}

namespace {

// Trains one weight w (a Dense(1) without bias, started at 1) on x = 1, y = 0 with the mean
// squared error, so that each step's gradient is 2w, and returns w after `steps` steps. The
// expected values below were worked out by hand from Keras's update rules (keras/src/optimizers).
double train_one_weight(const optimizers::Optimizer& optimizer, int steps) {
  tkeras::Sequential model({tkeras::layers::Dense(1, "linear", /*use_bias=*/false)});
  model.build({1});
  model.set_weights({torch::ones({1, 1})});
  model.compile({.optimizer = optimizer, .loss = "mse"});
  model.fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = steps, .verbose = 0});
  return model.get_weights()[0].item<double>();
}

}  // namespace

TEST_CASE("Adam follows Keras's rule, with epsilon added to the uncorrected square root of v") {
  // alpha_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t); w -= alpha_t m / (sqrt(v) + epsilon).
  // PyTorch's placement of epsilon would give 0.716362 here.
  CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.1, .epsilon = 0.1}), 3) ==
        doctest::Approx(0.8635570).epsilon(1e-6));
}

TEST_CASE("Adam with amsgrad divides by the largest v seen so far") {
  // With beta_2 = 0.5, v shrinks once w does; without amsgrad -0.164825.
  CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.4, .beta_2 = 0.5, .epsilon = 0.1}), 3) ==
        doctest::Approx(-0.1648253).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.4, .beta_2 = 0.5, .epsilon = 0.1, .amsgrad = true}),
                         3) == doctest::Approx(-0.0388928).epsilon(1e-6));
}

TEST_CASE("SGD follows Keras's rule with and without momentum and Nesterov") {
  // w -= lr g: 1 -> 0.8 -> 0.64 -> 0.512.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1}), 3) == doctest::Approx(0.512).epsilon(1e-6));
  // m = 0.9 m - lr g; w += m.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}), 3) ==
        doctest::Approx(0.062).epsilon(1e-5));
  // Nesterov: w += 0.9 m - lr g.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}), 3) ==
        doctest::Approx(-0.108352).epsilon(1e-5));
}

TEST_CASE("RMSprop follows Keras's rule, with epsilon under the square root, centered and with momentum") {
  CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .epsilon = 0.1}), 3) ==
        doctest::Approx(0.4143270).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .epsilon = 0.1, .centered = true}), 3) ==
        doctest::Approx(0.3775329).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .momentum = 0.5, .epsilon = 0.1}), 3) ==
        doctest::Approx(0.1438445).epsilon(1e-6));
}

TEST_CASE("the optimizer updates weights that stay the layers' own tensors") {
  // Seeded: from some random states every relu unit starts dead and nothing would move.
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model({tkeras::layers::Dense(3, "relu"), tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const torch::Tensor x = torch::rand({8, 4});
  const torch::Tensor y = torch::randint(0, 2, {8});
  model.build({4});
  const std::vector<torch::Tensor> held = model.trainable_weights();
  const std::vector<torch::Tensor> before = model.get_weights();
  model.fit(x, y, {.epochs = 2, .verbose = 0});
  const std::vector<torch::Tensor> after = model.get_weights();
  REQUIRE(after.size() == held.size());
  for (size_t i = 0; i < held.size(); ++i) {
    CHECK(torch::equal(held[i], after[i]));
    CHECK_FALSE(torch::equal(before[i], after[i]));
  }
  // A weight updated from outside (set_weights copies in place) is what the next step starts from.
  model.set_weights(before);
  model.fit(x, y, {.epochs = 1, .verbose = 0});
  CHECK_FALSE(torch::equal(model.get_weights()[0], after[0]));
}

TEST_CASE("Adagrad follows Keras's rule, from accumulators at initial_accumulator_value") {
  // accumulator += g^2 (from 0.1); w -= lr g / sqrt(accumulator + epsilon).
  CHECK(train_one_weight(optimizers::Adagrad({.learning_rate = 0.1}), 3) == doctest::Approx(0.7822992).epsilon(1e-6));
  CHECK(optimizers::Optimizer("adagrad").learning_rate() == 0.001);
}

TEST_CASE("AdamW decays each weight by weight_decay * learning_rate before Adam's update, as Keras") {
  CHECK(train_one_weight(optimizers::AdamW({.learning_rate = 0.1, .weight_decay = 0.5, .epsilon = 0.1}), 3) ==
        doctest::Approx(0.7292716).epsilon(1e-6));
  CHECK(std::get<optimizers::AdamWOptions>(optimizers::Optimizer("adamw").options()).weight_decay == 0.004);
  // The same decay as an option of any optimizer: w *= 1 - 0.1 * 0.1, then w -= 0.1 g.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .weight_decay = 0.1}), 3) ==
        doctest::Approx(0.493039).epsilon(1e-6));
}

TEST_CASE("clipnorm, global_clipnorm and clipvalue clip the gradients before the update, as Keras") {
  // g = 2w is above 1 throughout: clipped to norm 1, w falls by 0.1 a step.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .clipnorm = 1.0}), 3) ==
        doctest::Approx(0.7).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .global_clipnorm = 1.0}), 3) ==
        doctest::Approx(0.7).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .clipvalue = 0.5}), 3) ==
        doctest::Approx(0.85).epsilon(1e-6));
  CHECK_THROWS_WITH_AS(optimizers::Adam({.clipnorm = 0.0}), "Adam: expected a positive clipnorm, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::AdamW({.weight_decay = -1.0}), "AdamW: expected a weight_decay >= 0, received -1",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Adagrad({.initial_accumulator_value = -0.1}),
                       "Adagrad: expected an initial_accumulator_value >= 0, received -0.1", tkeras::Error);
}

TEST_CASE("clipnorm clips each weight's gradient by its own norm") {
  // Two weights, kernel and bias of Dense(1) at 1 on x = 1, y = 0: both gradients are 2 * (w + b)
  // = 4; each is clipped to norm 1 on its own (global_clipnorm would give each 1 / sqrt(2)).
  tkeras::Sequential model({tkeras::layers::Dense(1)});
  model.build({1});
  model.set_weights({torch::ones({1, 1}), torch::ones({1})});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1, .clipnorm = 1.0}), .loss = "mse"});
  model.fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = 1, .verbose = 0});
  CHECK(model.get_weights()[0].item<double>() == doctest::Approx(0.9));
  CHECK(model.get_weights()[1].item<double>() == doctest::Approx(0.9));
}
