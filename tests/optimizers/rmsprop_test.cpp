// Tests for RMSprop: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/rmsprop.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("RMSprop follows Keras's rule, with epsilon under the square root, centered and with momentum") {
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .epsilon = 0.1}), 3, jit) ==
          doctest::Approx(0.4143270).epsilon(1e-6));
    CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .epsilon = 0.1, .centered = true}), 3, jit) ==
          doctest::Approx(0.3775329).epsilon(1e-6));
    CHECK(train_one_weight(optimizers::RMSprop({.learning_rate = 0.1, .momentum = 0.5, .epsilon = 0.1}), 3, jit) ==
          doctest::Approx(0.1438445).epsilon(1e-6));
  }
}

TEST_CASE("bad RMSprop options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::RMSprop({.rho = 1.5}), "RMSprop: expected rho in [0, 1), received 1.5",
                       tkeras::Error);
}

TEST_CASE("RMSprop keeps velocities, then momentums, then average_gradients, as Keras builds them") {
  using Groups = std::vector<std::vector<std::string>>;
  CHECK(optimizers::RMSprop().slot_groups() == Groups{{"velocities"}});
  CHECK(optimizers::RMSprop({.momentum = 0.5, .centered = true}).slot_groups() ==
        Groups{{"velocities"}, {"momentums"}, {"average_gradients"}});
  CHECK(optimizers::RMSprop({.centered = true}).slot_groups() == Groups{{"velocities"}, {"average_gradients"}});
}

TEST_CASE("RMSprop's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::RMSprop({.momentum = 0.5, .centered = true}).get_config();
  CHECK(
      config ==
      tkeras::Config{{"learning_rate", 0.001}, {"rho", 0.9}, {"momentum", 0.5}, {"epsilon", 1e-7}, {"centered", true}});
  CHECK(optimizers::RMSprop::from_config(config).get_config() == config);
}
