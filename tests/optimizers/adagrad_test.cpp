// Tests for Adagrad: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/adagrad.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Adagrad follows Keras's rule, from accumulators at initial_accumulator_value") {
  // accumulator += g^2 (from 0.1); w -= lr g / sqrt(accumulator + epsilon).
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Adagrad({.learning_rate = 0.1}), 3, jit) ==
          doctest::Approx(0.7822992).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("adagrad").learning_rate() == 0.001);
}

TEST_CASE("bad Adagrad options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adagrad({.initial_accumulator_value = -0.1}),
                       "Adagrad: expected an initial_accumulator_value >= 0, received -0.1", tkeras::Error);
}

TEST_CASE("Adagrad keeps accumulators, as Keras builds them") {
  CHECK(optimizers::Adagrad().slot_groups() == std::vector<std::vector<std::string>>{{"accumulators"}});
}

TEST_CASE("Adagrad's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Adagrad({.initial_accumulator_value = 0.5}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001}, {"initial_accumulator_value", 0.5}, {"epsilon", 1e-7}});
  CHECK(optimizers::Adagrad::from_config(config).get_config() == config);
}
