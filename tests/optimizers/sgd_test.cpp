// Tests for SGD: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/sgd.h"

#include <cmath>

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("SGD follows Keras's rule with and without momentum and Nesterov") {
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    // w -= lr g: 1 -> 0.8 -> 0.64 -> 0.512.
    CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1}), 3, jit) == doctest::Approx(0.512).epsilon(1e-6));
    // m = 0.9 m - lr g; w += m.
    CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}), 3, jit) ==
          doctest::Approx(0.062).epsilon(1e-5));
    // Nesterov: w += 0.9 m - lr g.
    CHECK(train_one_weight(optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}), 3, jit) ==
          doctest::Approx(-0.108352).epsilon(1e-5));
  }
}

TEST_CASE("bad SGD options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::SGD({.learning_rate = std::nan("")}),
                       "SGD: expected a learning_rate >= 0, received nan", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.momentum = -0.5}), "SGD: expected a momentum >= 0, received -0.5",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::SGD({.nesterov = true}),
                       "SGD: nesterov needs a positive momentum, received momentum 0", tkeras::Error);
}

TEST_CASE("SGD keeps momentums only with a momentum, as Keras builds them") {
  using Groups = std::vector<std::vector<std::string>>;
  CHECK(optimizers::SGD().slot_groups().empty());
  CHECK(optimizers::SGD({.momentum = 0.9}).slot_groups() == Groups{{"momentums"}});
}

TEST_CASE("SGD's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}});
  CHECK(optimizers::SGD::from_config(config).get_config() == config);
}
