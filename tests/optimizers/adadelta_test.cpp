// Tests for Adadelta: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/adadelta.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Adadelta follows Keras's rule") {
  // a = rho a + (1 - rho) g^2; d = -sqrt(b + epsilon) g / sqrt(a + epsilon); b = rho b + (1 - rho) d^2; w += lr d.
  // The expected weight is Keras 3.15's (torch backend) after the same three steps.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Adadelta({.learning_rate = 1.0}), 3, jit) ==
          doctest::Approx(0.9957125).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("adadelta").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Adadelta").name() == "adadelta");
}

TEST_CASE("bad Adadelta options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adadelta({.rho = -0.5}), "Adadelta: expected rho in [0, 1), received -0.5",
                       tkeras::Error);
}

TEST_CASE("Adadelta keeps Keras's variables, interleaved per weight as Keras builds them") {
  CHECK(optimizers::Adadelta().slot_groups() ==
        std::vector<std::vector<std::string>>{{"accumulated_grads", "accumulated_delta_vars"}});
}

TEST_CASE("Adadelta's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Adadelta({.rho = 0.9, .clipnorm = 1.0}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001}, {"rho", 0.9}, {"epsilon", 1e-7}, {"clipnorm", 1.0}});
  CHECK(optimizers::Adadelta::from_config(config).get_config() == config);
}
