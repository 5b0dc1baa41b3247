// Tests for Adamax: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/adamax.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Adamax follows Keras's rule") {
  // m += (g - m)(1 - beta_1); u = max(beta_2 u, |g|); w -= lr m / ((1 - beta_1^t)(u + epsilon)), with g = 2w.
  // The expected weight is Keras 3.15's (torch backend) after the same three steps.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Adamax({.learning_rate = 0.1}), 3, jit) ==
          doctest::Approx(0.7154996).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("adamax").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Adamax").name() == "adamax");
}

TEST_CASE("bad Adamax options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adamax({.beta_2 = 1.0}), "Adamax: expected beta_2 in [0, 1), received 1",
                       tkeras::Error);
}

TEST_CASE("Adamax keeps Keras's variables, interleaved per weight as Keras builds them") {
  CHECK(optimizers::Adamax().slot_groups() == std::vector<std::vector<std::string>>{{"momentums", "norms"}});
}

TEST_CASE("Adamax's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Adamax({.beta_1 = 0.8}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001}, {"beta_1", 0.8}, {"beta_2", 0.999}, {"epsilon", 1e-7}});
  CHECK(optimizers::Adamax::from_config(config).get_config() == config);
}
