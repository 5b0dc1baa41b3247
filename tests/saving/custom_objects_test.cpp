// Tests for CustomObjects: losses and metrics of one's own (functions and classes) saved in model
// files as Keras saves them, and made again by load_model's custom_objects.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "custom_pieces.h"
#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/reduction.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/custom_objects.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
using tkeras::models::load_model;
using tkeras::testing::absolute_difference;
using tkeras::testing::doubled_squared_error;
using tkeras::testing::MaxError;
using tkeras::testing::ScaledError;

namespace {

struct Data {
  torch::Tensor x, y;
};

Data regression_data() {
  tkeras::utils::set_random_seed(3);
  return {torch::randn({16, 4}), torch::randn({16, 2})};
}

}  // namespace

TEST_CASE("a custom object is a layer, a loss or a metric factory, told apart by what its callable makes") {
  const tkeras::saving::CustomObject function = doubled_squared_error;
  CHECK(function.loss().has_value());
  CHECK(function.metric().has_value());  // a function serves as both, as in Keras
  CHECK_FALSE(function.layer().has_value());
  const tkeras::saving::CustomObject loss_class = [](const tkeras::Config&) { return ScaledError(2.0); };
  CHECK(loss_class.loss().has_value());
  CHECK_FALSE(loss_class.metric().has_value());
  const tkeras::saving::CustomObject metric_class = [] { return std::make_shared<MaxError>(); };
  CHECK(metric_class.metric().has_value());
  CHECK_FALSE(metric_class.loss().has_value());
  const tkeras::saving::CustomObject layer = [] { return layers::Dense(2); };
  CHECK(layer.layer().has_value());
  CHECK_FALSE(layer.loss().has_value());
  const auto split = tkeras::saving::loss_factories(tkeras::testing::custom_pieces());
  CHECK(split.size() == 3);
  CHECK(tkeras::saving::metric_factories(tkeras::testing::custom_pieces()).size() == 3);
  CHECK(tkeras::saving::layer_factories(tkeras::testing::custom_pieces()).empty());
}

TEST_CASE("a model compiled with a function loss and metrics of one's own saves and loads with custom_objects") {
  const tkeras::testing::TempDir dir;
  const Data data = regression_data();
  for (const char* extension : {".tkeras", ".keras"}) {
    CAPTURE(extension);
    tkeras::utils::set_random_seed(5);
    tkeras::Sequential model({layers::Input({4}), layers::Dense(2)});
    model.compile(
        {.optimizer = "sgd",
         .loss = tkeras::losses::Loss(doubled_squared_error, "doubled_squared_error"),
         .metrics = {tkeras::metrics::MeanMetricWrapper(absolute_difference, "absolute_difference"),
                     tkeras::metrics::MeanMetricWrapper(absolute_difference, "renamed", "absolute_difference"),
                     MaxError()}});
    model.fit(data.x, data.y, {.epochs = 1, .batch_size = 8, .verbose = 0});
    const std::string path = (dir.path() / (std::string("model") + extension)).string();
    model.save(path);
    // As Keras: the file names the function, which a program must give again.
    CHECK_THROWS_WITH_AS(load_model(path), doctest::Contains("doubled_squared_error"), tkeras::Error);
    const auto loaded = load_model(path, {.custom_objects = tkeras::testing::custom_pieces()});
    const tkeras::Logs ours = model.evaluate(data.x, data.y, {.verbose = 0});
    const tkeras::Logs theirs = loaded->evaluate(data.x, data.y, {.verbose = 0});
    REQUIRE(theirs.size() == 4);
    for (const char* key : {"loss", "absolute_difference", "renamed", "max_error"}) {
      CAPTURE(key);
      CHECK(theirs.at(key) == doctest::Approx(ours.at(key)).epsilon(1e-6));
    }
    // And training goes on as it would have.
    const auto before = loaded->evaluate(data.x, data.y, {.verbose = 0}).at("loss");
    loaded->fit(data.x, data.y, {.epochs = 3, .batch_size = 8, .verbose = 0});
    CHECK(loaded->evaluate(data.x, data.y, {.verbose = 0}).at("loss") < before);
  }
}

TEST_CASE("a loss class of one's own keeps its options and reduction through a model file") {
  const tkeras::testing::TempDir dir;
  const Data data = regression_data();
  tkeras::Sequential model({layers::Input({4}), layers::Dense(2)});
  model.compile({.optimizer = "adam", .loss = tkeras::losses::Loss(std::make_shared<ScaledError>(3.0), "sum")});
  for (const char* name : {"scaled.tkeras", "scaled.keras"}) {
    CAPTURE(name);
    const std::string path = (dir.path() / name).string();
    model.save(path);
    CHECK_THROWS_WITH_AS(load_model(path), doctest::Contains("ScaledError"), tkeras::Error);
    const auto loaded = load_model(path, {.custom_objects = tkeras::testing::custom_pieces()});
    const double expected =
        3.0 * (model.predict(data.x, {.verbose = 0}) - data.y).square().mean(-1).sum().item<double>();
    CHECK(loaded->evaluate(data.x, data.y, {.batch_size = 16, .verbose = 0}).at("loss") ==
          doctest::Approx(expected).epsilon(1e-5));
  }
}

TEST_CASE("a function loss takes class labels against probabilities as Keras does, with a last axis of one") {
  const tkeras::losses::Loss loss(
      [](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
        return -torch::log(y_pred.gather(-1, y_true.to(torch::kLong))).squeeze(-1);
      },
      "label_nll");
  CHECK(loss.is_function());
  CHECK(loss.name() == "label_nll");
  const torch::Tensor targets = loss.prepare_targets(torch::tensor({0, 2}), {3}, "Dense \"dense\"");
  CHECK(targets.sizes().vec() == (std::vector<int64_t>{2, 1}));
  const torch::Tensor probabilities = torch::tensor({{0.5, 0.25, 0.25}, {0.1, 0.1, 0.8}});
  CHECK(loss(targets, probabilities).item<double>() ==
        doctest::Approx((-std::log(0.5) - std::log(0.8)) / 2.0).epsilon(1e-6));
  const auto unnamed = [] { return tkeras::losses::Loss(doubled_squared_error, ""); };
  CHECK_THROWS_WITH_AS(unnamed(), doctest::Contains("expected a name"), tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::losses::Loss(tkeras::losses::LossCallable(), "none_given"),
                       doctest::Contains("received an empty one"), tkeras::Error);
}
