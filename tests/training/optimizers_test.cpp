// Tests for optimizers: names, Keras's defaults, options and their checks.
#include "tkeras/training/optimizers.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;

TEST_CASE("optimizers by name carry Keras's default learning rates") {
  CHECK(optimizers::Optimizer("adam").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("sgd").learning_rate() == 0.01);
  CHECK(optimizers::Optimizer("rmsprop").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("rmsprop").name() == "rmsprop");
  CHECK(std::get<optimizers::RMSpropOptions>(optimizers::Optimizer("rmsprop").options()).rho == 0.9);
}

TEST_CASE("an unknown optimizer name lists the valid ones") {
  CHECK_THROWS_WITH_AS(optimizers::Optimizer("adamw"),
                       "compile: unknown optimizer \"adamw\"; expected one of: adam, rmsprop, sgd", tkeras::Error);
}

TEST_CASE("optimizer objects keep their options") {
  const optimizers::Optimizer adam = optimizers::Adam({.learning_rate = 0.05, .beta_1 = 0.8});
  CHECK(adam.name() == "adam");
  CHECK(adam.learning_rate() == 0.05);
  CHECK(std::get<optimizers::AdamOptions>(adam.options()).beta_1 == 0.8);
  CHECK(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}).name() == "sgd");
}

TEST_CASE("bad optimizer options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adam({.learning_rate = 0}), "Adam: expected a positive learning_rate, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Adam({.beta_2 = 1.0}), "Adam: expected beta_2 in [0, 1), received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.momentum = -0.5}), "SGD: expected a momentum >= 0, received -0.5",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::RMSprop({.rho = 1.5}), "RMSprop: expected rho in [0, 1), received 1.5",
                       tkeras::Error);
}

TEST_CASE("SGD takes one plain gradient step of learning_rate times the gradient") {
  torch::Tensor w = torch::tensor({1.0f, -2.0f}).requires_grad_(true);
  auto optimizer = optimizers::SGD({.learning_rate = 0.1}).create({w});
  (w * w).sum().backward();
  optimizer->step();
  CHECK(torch::allclose(w.detach(), torch::tensor({0.8f, -1.6f})));
}

TEST_CASE("Adam's first step moves each weight by about the learning rate") {
  torch::Tensor w = torch::tensor({1.0f, -2.0f}).requires_grad_(true);
  auto optimizer = optimizers::Adam({.learning_rate = 0.01}).create({w});
  (w * w).sum().backward();
  optimizer->step();
  CHECK(torch::allclose(w.detach(), torch::tensor({0.99f, -1.99f}), 1e-4, 1e-5));
}
