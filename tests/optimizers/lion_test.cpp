// Tests for Lion: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/lion.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Lion follows Keras's rule") {
  // w -= lr sign(beta_1 m + (1 - beta_1) g); m = beta_2 m + (1 - beta_2) g: three steps of -0.1.
  // The expected weight is Keras 3.15's (torch backend) after the same three steps.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Lion({.learning_rate = 0.1}), 3, jit) == doctest::Approx(0.7).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("lion").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Lion").name() == "lion");
}

TEST_CASE("bad Lion options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Lion({.beta_1 = 0.0}), "Lion: expected beta_1 in (0, 1], received 0", tkeras::Error);
}

TEST_CASE("Lion keeps Keras's variables, interleaved per weight as Keras builds them") {
  CHECK(optimizers::Lion().slot_groups() == std::vector<std::vector<std::string>>{{"momentums"}});
}

TEST_CASE("Lion's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Lion({.beta_2 = 0.95}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001}, {"beta_1", 0.9}, {"beta_2", 0.95}});
  CHECK(optimizers::Lion::from_config(config).get_config() == config);
}
