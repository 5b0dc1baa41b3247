// Tests for Ftrl: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/ftrl.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Ftrl follows Keras's rule") {
  // n' = n + g^2; z += g + 2 l2_shrinkage w - (n'^p - n^p) / lr * w; w = (clip(z, -l1, l1) - z) /
  // ((n'^p + beta) / lr + 2 l2), with g = 2w. The expected weights are Keras 3.15's (torch backend)
  // after the same three steps, at the defaults and with every option set.
  const optimizers::FtrlOptions every_option{.learning_rate = 0.1,
                                             .learning_rate_power = -0.7,
                                             .initial_accumulator_value = 0.2,
                                             .l1_regularization_strength = 0.01,
                                             .l2_regularization_strength = 0.02,
                                             .l2_shrinkage_regularization_strength = 0.03,
                                             .beta = 0.5};
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Ftrl({.learning_rate = 0.1}), 3, jit) ==
          doctest::Approx(0.6378896).epsilon(1e-6));
    CHECK(train_one_weight(optimizers::Ftrl(every_option), 3, jit) == doctest::Approx(0.6168481).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("ftrl").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Ftrl").name() == "ftrl");
}

TEST_CASE("bad Ftrl options fail when the optimizer is made, as Keras's do") {
  CHECK_THROWS_WITH_AS(optimizers::Ftrl({.learning_rate_power = 0.5}),
                       "Ftrl: expected learning_rate_power <= 0, received 0.5", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Ftrl({.initial_accumulator_value = -1.0}),
                       "Ftrl: expected initial_accumulator_value >= 0, received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Ftrl({.l2_shrinkage_regularization_strength = -0.5}),
                       "Ftrl: expected l2_shrinkage_regularization_strength >= 0, received -0.5", tkeras::Error);
}

TEST_CASE("Ftrl keeps Keras's variables: an accumulator and a linear term per weight, interleaved") {
  CHECK(optimizers::Ftrl().slot_groups() == std::vector<std::vector<std::string>>{{"accumulators", "linears"}});
}

TEST_CASE("Ftrl's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Ftrl({.beta = 0.5}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001},
                                 {"learning_rate_power", -0.5},
                                 {"initial_accumulator_value", 0.1},
                                 {"l1_regularization_strength", 0.0},
                                 {"l2_regularization_strength", 0.0},
                                 {"l2_shrinkage_regularization_strength", 0.0},
                                 {"beta", 0.5}});
  CHECK(optimizers::Ftrl::from_config(config).get_config() == config);
}
