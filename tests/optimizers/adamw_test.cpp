// Tests for AdamW: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/adamw.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("AdamW decays each weight by weight_decay * learning_rate before Adam's update, as Keras") {
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::AdamW({.learning_rate = 0.1, .weight_decay = 0.5, .epsilon = 0.1}), 3, jit) ==
          doctest::Approx(0.7292716).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("adamw").get_config()["weight_decay"] == 0.004);
  CHECK(optimizers::Optimizer("adamw").weight_decay() == 0.004);
}

TEST_CASE("bad AdamW options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::AdamW({.weight_decay = -1.0}), "AdamW: expected a weight_decay >= 0, received -1",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::AdamW({.beta_1 = -0.1}), "AdamW: expected beta_1 in [0, 1), received -0.1",
                       tkeras::Error);
}

TEST_CASE("AdamW keeps Adam's variables in Keras's order") {
  using Groups = std::vector<std::vector<std::string>>;
  CHECK(optimizers::AdamW().slot_groups() == Groups{{"momentums", "velocities"}});
  CHECK(optimizers::AdamW({.amsgrad = true}).slot_groups() == Groups{{"momentums", "velocities"}, {"velocity_hats"}});
}

TEST_CASE("AdamW's config always has its weight decay, and from_config reads it back") {
  const tkeras::Config config = optimizers::AdamW({.weight_decay = 0.02, .global_clipnorm = 1.0}).get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.001},
                                 {"weight_decay", 0.02},
                                 {"beta_1", 0.9},
                                 {"beta_2", 0.999},
                                 {"epsilon", 1e-7},
                                 {"amsgrad", false},
                                 {"global_clipnorm", 1.0}});
  CHECK(optimizers::AdamW::from_config(config).get_config() == config);
}
