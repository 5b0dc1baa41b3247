// Tests for tkeras/constraints/constraint.h: the constraints, their names and configs.
#include "tkeras/constraints/constraint.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/initializers/constant.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace constraints = tkeras::constraints;
namespace layers = tkeras::layers;

TEST_CASE("MaxNorm scales the columns longer than max_value and keeps the others") {
  // Columns of norm 5 and 0.5 (axis 0: each unit's inputs, as a Dense kernel's).
  const torch::Tensor w = torch::tensor({{3.0f, 0.3f}, {4.0f, 0.4f}});
  const torch::Tensor c = constraints::MaxNorm()(w);
  CHECK(torch::allclose(c.select(1, 0), torch::tensor({1.2f, 1.6f}), 1e-6, 1e-6));
  CHECK(torch::allclose(c.select(1, 1), w.select(1, 1), 1e-6, 1e-6));
  const torch::Tensor rows = constraints::MaxNorm({.max_value = 1.0, .axis = {1}})(w);
  CHECK(torch::allclose(rows.norm(2, 1), torch::tensor({1.0f, 1.0f}), 1e-5, 1e-5));
}

TEST_CASE("NonNeg, UnitNorm and MinMaxNorm project as Keras's") {
  CHECK(torch::equal(constraints::NonNeg()(torch::tensor({-1.0f, 0.0f, 2.0f})), torch::tensor({0.0f, 0.0f, 2.0f})));
  const torch::Tensor w = torch::tensor({{3.0f, 0.3f}, {4.0f, 0.4f}});
  CHECK(torch::allclose(constraints::UnitNorm()(w).norm(2, 0), torch::ones({2}), 1e-5, 1e-5));
  const torch::Tensor bounded = constraints::MinMaxNorm({.min_value = 1.0, .max_value = 2.0})(w);
  CHECK(torch::allclose(bounded.norm(2, 0), torch::tensor({2.0f, 1.0f}), 1e-5, 1e-5));
  // Half way from norm 5 to 2: 3.5.
  const torch::Tensor half = constraints::MinMaxNorm({.min_value = 1.0, .max_value = 2.0, .rate = 0.5})(w);
  CHECK(half.norm(2, 0)[0].item<double>() == doctest::Approx(3.5).epsilon(1e-5));
  // Over several axes, as a convolution kernel's [0, 1, 2].
  const torch::Tensor kernel = torch::ones({3, 3, 2, 4});
  CHECK(torch::allclose(constraints::UnitNorm({.axis = {0, 1, 2}})(kernel).square().sum({0, 1, 2}), torch::ones({4}),
                        1e-5, 1e-5));
  CHECK_THROWS_WITH_AS(constraints::UnitNorm({.axis = {2}})(w), doctest::Contains("axis"), tkeras::Error);
}

TEST_CASE("get takes Keras's names and configs read back") {
  CHECK(constraints::get(nullptr) == nullptr);
  CHECK(constraints::get("non_neg")->class_name() == "NonNeg");
  CHECK(constraints::get("MaxNorm")->get_config() == tkeras::Config{{"max_value", 2.0}, {"axis", 0}});
  const tkeras::Config saved = constraints::serialize(constraints::MinMaxNorm({.rate = 0.5, .axis = {0, 1}}));
  CHECK(saved["module"] == "keras.constraints");
  CHECK(saved["config"]["axis"] == tkeras::Config::array({0, 1}));
  CHECK(constraints::deserialize(saved)->get_config() == saved["config"]);
  CHECK_THROWS_WITH_AS(constraints::get("max"), doctest::Contains("unknown constraint \"max\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(constraints::deserialize({{"class_name", "NonNeg"}, {"config", {{"axis", 0}}}}),
                       doctest::Contains("axis"), tkeras::Error);
}

TEST_CASE("fit applies each weight's constraint after every update, as Keras's optimizer") {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({32, 4, 4, 1});
  const torch::Tensor y = torch::randn({32, 3}) * 10;
  tkeras::Sequential model(
      {layers::Input({4, 4, 1}),
       layers::Conv2D(2, 3, {.kernel_constraint = constraints::MaxNorm({.max_value = 0.5, .axis = {0, 1, 2}})}),
       layers::Flatten(), layers::Dense(3, {.kernel_constraint = "non_neg", .bias_constraint = "unit_norm"})});
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  const std::vector<torch::Tensor> weights = model.get_weights();
  CHECK(weights[0].square().sum({0, 1, 2}).sqrt().max().item<double>() <= 0.5 + 1e-6);
  CHECK(weights[2].min().item<double>() >= 0.0);
  CHECK(weights[3].norm().item<double>() == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("a constraint does not change a weight before training, and is saved in the config") {
  tkeras::Sequential model(
      {layers::Input({3}),
       layers::Dense(2, {.kernel_initializer = tkeras::initializers::Constant(-1.0), .kernel_constraint = "non_neg"})});
  CHECK(model.get_weights()[0].min().item<double>() == -1.0);
  const tkeras::Config config = model.layers().back()->get_config();
  CHECK(config["kernel_constraint"]["class_name"] == "NonNeg");
  CHECK(config["bias_constraint"].is_null());
}
