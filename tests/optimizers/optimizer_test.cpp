// Tests for Optimizer: names and Keras's class names, the registry, values, and what every
// optimizer applies (clipping, weight decay) around its own rule.
#include "tkeras/optimizers/optimizer.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/sgd.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("optimizers by name carry Keras's default learning rates") {
  CHECK(optimizers::Optimizer("adam").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("sgd").learning_rate() == 0.01);
  CHECK(optimizers::Optimizer("rmsprop").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("rmsprop").name() == "rmsprop");
  CHECK(optimizers::Optimizer("rmsprop").get_config()["rho"] == 0.9);
}

TEST_CASE("an unknown optimizer name lists the valid ones") {
  CHECK_THROWS_WITH_AS(optimizers::Optimizer("adamx"),
                       "compile: unknown optimizer \"adamx\"; expected one of: adadelta, adagrad, adam, adamax, adamw, "
                       "ftrl, lamb, lion, nadam, rmsprop, sgd",
                       tkeras::Error);
}

TEST_CASE("every registered optimizer is found by its name and by Keras's class name") {
  const std::vector<std::string> expected = {"adadelta", "adagrad", "adam",  "adamax",  "adamw", "ftrl",
                                             "lamb",     "lion",    "nadam", "rmsprop", "sgd"};
  CHECK(optimizers::Optimizer::names() == expected);
  for (const std::string& name : optimizers::Optimizer::names()) {
    CAPTURE(name);
    const optimizers::Optimizer by_name(name);
    CHECK(by_name.name() == name);
    const optimizers::Optimizer by_class(by_name.class_name());
    CHECK(by_class.name() == name);
    CHECK(by_class.get_config() == by_name.get_config());
  }
  CHECK(optimizers::Optimizer("RMSprop").name() == "rmsprop");
  CHECK(optimizers::Optimizer("sgd").class_name() == "SGD");
}

TEST_CASE("optimizer objects keep their options") {
  const optimizers::Optimizer adam = optimizers::Adam({.learning_rate = 0.05, .beta_1 = 0.8});
  CHECK(adam.name() == "adam");
  CHECK(adam.class_name() == "Adam");
  CHECK(adam.learning_rate() == 0.05);
  CHECK(adam.get_config()["beta_1"] == 0.8);
  CHECK(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}).name() == "sgd");
}

TEST_CASE("an optimizer is a value: a copy has its own learning rate") {
  optimizers::Optimizer original = optimizers::Adam({.learning_rate = 0.05});
  optimizers::Optimizer copy = original;
  copy.set_learning_rate(0.5);
  CHECK(original.learning_rate() == 0.05);
  CHECK(copy.learning_rate() == 0.5);
  original = copy;
  CHECK(original.learning_rate() == 0.5);
  CHECK(original.class_name() == "Adam");
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

TEST_CASE("the weight_decay option decays each weight by weight_decay * learning_rate before the update, as Keras") {
  // w *= 1 - 0.1 * 0.1, then w -= 0.1 g.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .weight_decay = 0.1}), 3, jit) ==
          doctest::Approx(0.493039).epsilon(1e-6));
  }
}

TEST_CASE("clipnorm, global_clipnorm and clipvalue clip the gradients before the update, as Keras") {
  // g = 2w is above 1 throughout: clipped to norm 1, w falls by 0.1 a step.
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .clipnorm = 1.0}), 3) ==
        doctest::Approx(0.7).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .global_clipnorm = 1.0}), 3) ==
        doctest::Approx(0.7).epsilon(1e-6));
  CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .clipvalue = 0.5}), 3) ==
        doctest::Approx(0.85).epsilon(1e-6));
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

TEST_CASE("Dense's kernel stored transposed trains alike through the fused, the gathered and the clipped update") {
  // Adam on the CPU takes each weight's gradient as backward left it (the kernel's transposed,
  // as its weight); jit's update gathers them into one buffer first, and clipping does too.
  const torch::Tensor x = torch::rand({16, 5}, torch::TensorOptions().dtype(torch::kFloat32));
  const torch::Tensor y = torch::randint(0, 3, {16});
  const auto trained = [&](const optimizers::Optimizer& optimizer, bool jit) {
    tkeras::utils::set_random_seed(7);
    tkeras::Sequential model({tkeras::layers::Dense(4, "relu"), tkeras::layers::Dense(3, "softmax")});
    model.build({5});
    model.compile({.optimizer = optimizer, .loss = "sparse_categorical_crossentropy", .jit = jit});
    model.fit(x, y, {.epochs = 3, .batch_size = 4, .shuffle = false, .verbose = 0});
    const torch::Tensor kernel = model.trainable_weights()[0];
    CHECK(kernel.sizes().vec() == std::vector<int64_t>{5, 4});
    CHECK(kernel.strides().vec() == std::vector<int64_t>{1, 5});  // [units, in] in memory
    return model.get_weights();
  };
  const std::vector<torch::Tensor> fused = trained(optimizers::Adam({.learning_rate = 0.05}), false);
  const std::vector<torch::Tensor> gathered = trained(optimizers::Adam({.learning_rate = 0.05}), true);
  const std::vector<torch::Tensor> clipped =
      trained(optimizers::Adam({.learning_rate = 0.05, .clipvalue = 1e6}), false);
  const std::vector<torch::Tensor> initial = trained(optimizers::Adam({.learning_rate = 0.0}), false);

  // One SGD step over the whole batch against autograd on plain tensors in Keras's layout.
  tkeras::utils::set_random_seed(7);
  tkeras::Sequential model({tkeras::layers::Dense(4, "relu"), tkeras::layers::Dense(3, "softmax")});
  model.build({5});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.5}), .loss = "sparse_categorical_crossentropy"});
  std::vector<torch::Tensor> expected = model.get_weights();
  for (torch::Tensor& weight : expected) weight.requires_grad_(true);
  const torch::Tensor hidden = torch::relu(x.matmul(expected[0]) + expected[1]);
  torch::nll_loss(torch::log_softmax(hidden.matmul(expected[2]) + expected[3], -1), y).backward();
  model.fit(x, y, {.batch_size = 16, .verbose = 0});
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(torch::allclose(model.get_weights()[i], (expected[i] - 0.5 * expected[i].grad()).detach(), 1e-5, 1e-6));
  }
  for (size_t i = 0; i < fused.size(); ++i) {
    CAPTURE(i);
    CHECK(fused[i].is_contiguous());  // get_weights gives row-major copies
    CHECK(torch::allclose(fused[i], gathered[i], 1e-5, 1e-6));
    CHECK(torch::allclose(fused[i], clipped[i], 1e-5, 1e-6));
    CHECK_FALSE(torch::allclose(fused[i], initial[i]));
  }
}
