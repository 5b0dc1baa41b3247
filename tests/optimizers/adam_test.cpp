// Tests for Adam: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/adam.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "tkeras/core/error.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Adam follows Keras's rule, with epsilon added to the uncorrected square root of v") {
  // alpha_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t); w -= alpha_t m / (sqrt(v) + epsilon).
  // PyTorch's placement of epsilon would give 0.716362 here. jit: the capturable rule.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.1, .epsilon = 0.1}), 3, jit) ==
          doctest::Approx(0.8635570).epsilon(1e-6));
  }
}

TEST_CASE("Adam with amsgrad divides by the largest v seen so far") {
  // With beta_2 = 0.5, v shrinks once w does; without amsgrad -0.164825.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.4, .beta_2 = 0.5, .epsilon = 0.1}), 3, jit) ==
          doctest::Approx(-0.1648253).epsilon(1e-6));
    CHECK(train_one_weight(optimizers::Adam({.learning_rate = 0.4, .beta_2 = 0.5, .epsilon = 0.1, .amsgrad = true}), 3,
                           jit) == doctest::Approx(-0.0388928).epsilon(1e-6));
  }
}

TEST_CASE("bad Adam options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Adam({.learning_rate = -0.1}), "Adam: expected a learning_rate >= 0, received -0.1",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Adam({.beta_2 = 1.0}), "Adam: expected beta_2 in [0, 1), received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(optimizers::Adam({.clipnorm = 0.0}), "Adam: expected a positive clipnorm, received 0",
                       tkeras::Error);
}

TEST_CASE("Adam keeps momentums and velocities interleaved, then velocity_hats with amsgrad, as Keras builds them") {
  using Groups = std::vector<std::vector<std::string>>;
  CHECK(optimizers::Adam().slot_groups() == Groups{{"momentums", "velocities"}});
  CHECK(optimizers::Adam({.amsgrad = true}).slot_groups() == Groups{{"momentums", "velocities"}, {"velocity_hats"}});
}

TEST_CASE("Adam's config has Keras's names, and from_config reads it back") {
  const optimizers::Adam adam({.learning_rate = 0.01, .beta_1 = 0.8, .amsgrad = true, .clipvalue = 0.5});
  const tkeras::Config config = adam.get_config();
  CHECK(config == tkeras::Config{{"learning_rate", 0.01},
                                 {"beta_1", 0.8},
                                 {"beta_2", 0.999},
                                 {"epsilon", 1e-7},
                                 {"amsgrad", true},
                                 {"clipvalue", 0.5}});
  CHECK(optimizers::Adam::from_config(config).get_config() == config);
  CHECK(optimizers::Adam::from_config(tkeras::Config::object()).get_config() == optimizers::Adam().get_config());
  CHECK_THROWS_WITH_AS(optimizers::Adam::from_config({{"amsgrad", 1}}),
                       doctest::Contains("expected \"amsgrad\" as true or false, received 1"), tkeras::Error);
}
