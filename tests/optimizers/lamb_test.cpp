// Tests for Lamb: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/lamb.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Lamb follows Keras's rule") {
  // Adam's step u, scaled by ||w|| / ||u||: for one weight, every step moves it by lr |w|, so
  // w = 0.9^3. The expected weight is Keras 3.15's (torch backend) after the same three steps.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Lamb({.learning_rate = 0.1}), 3, jit) == doctest::Approx(0.729).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("lamb").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Lamb").name() == "lamb");
}

TEST_CASE("Lamb's trust ratio is taken per weight, and is 1 for a weight at 0") {
  // A kernel w = 3 and a bias b = 0 trained on x = 1, y = 0 with the mean squared error: both
  // gradients are 2 (w + b) = 6, and Adam's first step is 1 for each (epsilon aside). So the kernel
  // moves by lr ||w|| = 0.3, and the bias, whose norm is 0, by lr. Keras 3.15 gives 2.7 and -0.0999993.
  tkeras::Sequential model({tkeras::layers::Dense(1)});
  model.build({1});
  model.set_weights({torch::full({1, 1}, 3.0), torch::zeros({1})});
  model.compile({.optimizer = optimizers::Lamb({.learning_rate = 0.1}), .loss = "mse"});
  model.fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = 1, .verbose = 0});
  CHECK(model.get_weights()[0].item<double>() == doctest::Approx(2.7).epsilon(1e-6));
  CHECK(model.get_weights()[1].item<double>() == doctest::Approx(-0.1).epsilon(1e-5));
}

TEST_CASE("bad Lamb options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Lamb({.beta_2 = 1.0}), "Lamb: expected beta_2 in [0, 1), received 1", tkeras::Error);
}

TEST_CASE("Lamb keeps Keras's variables, interleaved per weight as Keras builds them") {
  CHECK(optimizers::Lamb().slot_groups() == std::vector<std::vector<std::string>>{{"momentums", "velocities"}});
  CHECK(optimizers::Lamb().scalar_variables().empty());
}

TEST_CASE("Lamb's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Lamb({.beta_1 = 0.8}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001}, {"beta_1", 0.8}, {"beta_2", 0.999}, {"epsilon", 1e-7}});
  CHECK(optimizers::Lamb::from_config(config).get_config() == config);
}
