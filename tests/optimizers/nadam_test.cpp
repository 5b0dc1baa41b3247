// Tests for Nadam: Keras's defaults, option checks, config, variables and update rule.
#include "tkeras/optimizers/nadam.h"

#include <doctest/doctest.h>

#include "optimizers/train_one_weight.h"
#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/saving/load_model.h"

namespace optimizers = tkeras::optimizers;
using tkeras::testing::train_one_weight;

TEST_CASE("Nadam follows Keras's rule") {
  // u_t = beta_1 (1 - 0.5 * 0.96^t), P_t = u_1 ... u_t; w -= lr (u_{t+1} m / (1 - P_t u_{t+1}) +
  // (1 - u_t) g / (1 - P_t)) / (sqrt(v / (1 - beta_2^t)) + epsilon), with g = 2w.
  // The expected weight is Keras 3.15's (torch backend) after the same three steps.
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(train_one_weight(optimizers::Nadam({.learning_rate = 0.1}), 3, jit) ==
          doctest::Approx(0.7546759).epsilon(1e-6));
  }
  CHECK(optimizers::Optimizer("nadam").learning_rate() == 0.001);
  CHECK(optimizers::Optimizer("Nadam").name() == "nadam");
}

TEST_CASE("bad Nadam options fail when the optimizer is made") {
  CHECK_THROWS_WITH_AS(optimizers::Nadam({.beta_1 = -0.1}), "Nadam: expected beta_1 in [0, 1), received -0.1",
                       tkeras::Error);
}

TEST_CASE("Nadam keeps Keras's variables: two per weight, then the product of its momentum schedule") {
  CHECK(optimizers::Nadam().slot_groups() == std::vector<std::vector<std::string>>{{"momentums", "velocities"}});
  CHECK(optimizers::Nadam().scalar_variables() == std::vector<std::string>{"u_product"});
}

TEST_CASE("Nadam's u_product travels in both model files, so that training goes on from a file as without it") {
  // One weight trained 2 steps, saved, loaded and trained 1 more must end where 3 steps end.
  const tkeras::testing::TempDir dir;
  for (const std::string name : {"nadam.keras", "nadam.tkeras"}) {
    CAPTURE(name);
    tkeras::Sequential model({tkeras::layers::Dense(1, "linear", /*use_bias=*/false)});
    model.build({1});
    model.set_weights({torch::ones({1, 1})});
    model.compile({.optimizer = optimizers::Nadam({.learning_rate = 0.1}), .loss = "mse"});
    model.fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = 2, .verbose = 0});
    const std::string path = (dir.path() / name).string();
    model.save(path);
    const std::shared_ptr<tkeras::Model> loaded = tkeras::models::load_model(path);
    loaded->fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = 1, .verbose = 0});
    CHECK(loaded->get_weights()[0].item<double>() == doctest::Approx(0.7546759).epsilon(1e-6));
  }
}

TEST_CASE("Nadam's config has Keras's names, and from_config reads it back") {
  const tkeras::Config config = optimizers::Nadam({.epsilon = 1e-6, .clipnorm = 1.0}).get_config();
  CHECK(config ==
        tkeras::Config{
            {"learning_rate", 0.001}, {"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-6}, {"clipnorm", 1.0}});
  CHECK(optimizers::Nadam::from_config(config).get_config() == config);
}
