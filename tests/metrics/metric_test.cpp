// Tests for tkeras/metrics/metric.h: the Metric base, Identifier, and Keras's get, serialize and
// deserialize.
#include "tkeras/metrics/metric.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "custom_pieces.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/metrics/accuracy.h"
#include "tkeras/metrics/f_score.h"
#include "tkeras/metrics/reduction.h"
#include "tkeras/metrics/regression.h"
#include "tkeras/models/sequential.h"

namespace metrics = tkeras::metrics;
namespace layers = tkeras::layers;

// A metric of one's own, as a user writes one: the largest absolute error seen.
using tkeras::testing::MaxError;

TEST_CASE("a metric's variables are added, updated in place, read and reset as Keras's") {
  MaxError metric;
  CHECK(metric.variable_names() == std::vector<std::string>{"largest"});
  const torch::Tensor storage = metric.variables().front();
  metric.update_state(torch::zeros({2, 1}), torch::tensor({{0.5f}, {-2.0f}}));
  metric.update_state(torch::zeros({1, 1}), torch::tensor({{1.0f}}));
  CHECK(metric.result().item<double>() == 2.0);
  metric.reset_state();
  CHECK(metric.result().item<double>() == 0.0);
  // In place: a captured CUDA graph keeps adding into the same storage.
  CHECK(metric.variables().front().data_ptr() == storage.data_ptr());
}

TEST_CASE("a copied metric has variables of its own, and result_of reads other values without keeping them") {
  metrics::MeanSquaredError metric;
  metric.update_state(torch::zeros({2, 1}), torch::ones({2, 1}));
  metrics::MeanSquaredError copy = metric;
  copy.update_state(torch::zeros({2, 1}), torch::full({2, 1}, 3.0f));
  CHECK(metric.result().item<double>() == 1.0);
  CHECK(copy.result().item<double>() == doctest::Approx(5.0));
  // As a data-parallel job reads sums over processes: total 10 over 4 samples.
  const torch::Tensor summed =
      metric.result_of({torch::tensor(10.0, torch::kFloat64), torch::tensor(4.0, torch::kFloat64)});
  CHECK(summed.item<double>() == 2.5);
  CHECK(metric.result().item<double>() == 1.0);
  CHECK_THROWS_WITH_AS(metric.result_of({}), "mean_squared_error: expected 2 variable values, received 0",
                       tkeras::Error);
}

TEST_CASE("get makes a metric by name, alias or class name, named as asked") {
  CHECK(metrics::get("mse")->class_name() == "MeanSquaredError");
  CHECK(metrics::get("mse")->name() == "mse");
  CHECK(metrics::get("RootMeanSquaredError")->name() == "RootMeanSquaredError");
  CHECK(metrics::get("top_k_categorical_accuracy")->get_config()["k"] == 5);
  CHECK_THROWS_WITH_AS(metrics::get("acuracy"), doctest::Contains("unknown metric \"acuracy\"; expected accuracy, acc"),
                       tkeras::Error);
  const auto names = metrics::names();
  CHECK(std::find(names.begin(), names.end(), "sparse_top_k_categorical_accuracy") != names.end());
}

TEST_CASE("a metric round-trips through Keras's serialized form, and an unknown class or option is named") {
  const metrics::TopKCategoricalAccuracy top({.k = 3, .name = "top3"});
  const tkeras::Config config = metrics::serialize(top);
  CHECK(config["module"] == "keras.metrics");
  CHECK(config["class_name"] == "TopKCategoricalAccuracy");
  CHECK(config["config"] == tkeras::Config{{"name", "top3"}, {"dtype", "float32"}, {"k", 3}});
  const auto back = metrics::deserialize(config);
  CHECK(back->name() == "top3");
  CHECK(back->get_config() == top.get_config());
  CHECK(metrics::deserialize("mae")->class_name() == "MeanAbsoluteError");
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "Nope"}, {"config", tkeras::Config::object()}}),
                       doctest::Contains("unknown metric class \"Nope\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      metrics::deserialize({{"class_name", "TopKCategoricalAccuracy"}, {"config", {{"k", 2}, {"top", 1}}}}),
      doctest::Contains("TopKCategoricalAccuracy: the option top=1 is not one of Keras's"), tkeras::Error);
  CHECK(metrics::fresh_copy(top)->name() == "top3");
}

TEST_CASE("a metric of one's own is serialized as Keras serializes it and made again by custom_objects") {
  // A class: by its class name, as Keras's registered name.
  const tkeras::Config config = metrics::serialize(MaxError());
  CHECK(config == tkeras::Config{{"module", nullptr},
                                 {"class_name", "MaxError"},
                                 {"config", {{"name", "max_error"}, {"dtype", "float32"}}},
                                 {"registered_name", "MaxError"}});
  CHECK_THROWS_WITH_AS(metrics::deserialize(config), doctest::Contains("unknown metric class \"MaxError\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::fresh_copy(MaxError()), doctest::Contains("a metric of one's own"), tkeras::Error);
  tkeras::Config renamed = config;
  renamed["config"]["name"] = "largest_error";
  const auto made = metrics::deserialize(renamed, {{"MaxError", [] { return MaxError(); }}});
  CHECK(made->class_name() == "MaxError");
  CHECK(made->name() == "largest_error");
  // A function: by its name, as Keras's compile keeps `metrics=[fn]`; renamed, in Keras's
  // MeanMetricWrapper around it.
  const metrics::MetricFunction absolute = [](const torch::Tensor& y, const torch::Tensor& p) {
    return (y - p).abs().mean(-1);
  };
  const tkeras::Config function = metrics::serialize(metrics::MeanMetricWrapper(absolute, "absolute"));
  CHECK(function == tkeras::Config{{"module", "builtins"},
                                   {"class_name", "function"},
                                   {"config", "absolute"},
                                   {"registered_name", "function"}});
  const tkeras::Config wrapper = metrics::serialize(metrics::MeanMetricWrapper(absolute, "mine", "absolute"));
  CHECK(wrapper["class_name"] == "MeanMetricWrapper");
  CHECK(wrapper["config"]["name"] == "mine");
  CHECK(wrapper["config"]["fn"] == function);
  const metrics::MetricFactories custom = {{"absolute", absolute}};
  for (const auto& [saved, name] : {std::pair{function, "absolute"}, std::pair{wrapper, "mine"}}) {
    const auto back = metrics::deserialize(saved, custom);
    CHECK(back->name() == name);
    back->update_state(torch::zeros({2, 2}), torch::tensor({{1.0f, 3.0f}, {-2.0f, 0.0f}}));
    CHECK(back->result().item<double>() == doctest::Approx(1.5));
    CHECK(metrics::serialize(*back) == saved);
  }
  CHECK_THROWS_WITH_AS(metrics::deserialize(wrapper),
                       doctest::Contains("\"absolute\" is not in load_model's custom_objects"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      metrics::deserialize(function),
      doctest::Contains("the metric function \"absolute\" is not one of Keras's; a function of "
                        "one's own needs a factory in load_model's custom_objects, under \"absolute\""),
      tkeras::Error);
  tkeras::Config bad_name = wrapper;
  bad_name["config"]["name"] = 3;
  CHECK_THROWS_WITH_AS(metrics::deserialize(bad_name, custom),
                       doctest::Contains("expected name as a string, received 3"), tkeras::Error);
  // Keras writes a shared_object_id beside a function used twice.
  tkeras::Config shared = function;
  shared["shared_object_id"] = 140012;
  CHECK(metrics::deserialize(shared, custom)->name() == "absolute");
}

TEST_CASE("compile takes metric objects beside names, and fit updates the object given, as Keras's") {
  torch::manual_seed(3);
  tkeras::Sequential model({layers::Input({3}), layers::Dense(1)});
  auto largest = std::make_shared<MaxError>();
  model.compile(
      {.optimizer = "sgd", .loss = "mse", .metrics = {"mae", largest, metrics::RootMeanSquaredError("rmse")}});
  const torch::Tensor x = torch::randn({8, 3});
  const torch::Tensor y = torch::randn({8, 1});
  const tkeras::Logs logs = model.evaluate(x, y, {.batch_size = 4, .verbose = 0});
  const torch::Tensor error = (model.predict(x, {.verbose = 0}) - y);
  CHECK(logs.at("max_error") == doctest::Approx(error.abs().max().item<double>()).epsilon(1e-6));
  CHECK(largest->result().item<double>() == doctest::Approx(logs.at("max_error")));
  CHECK(logs.at("rmse") == doctest::Approx(std::sqrt(logs.at("loss"))).epsilon(1e-6));
  CHECK(logs.at("mae") == doctest::Approx(error.abs().mean().item<double>()).epsilon(1e-6));
}

TEST_CASE("compile names metrics as Keras: per-class values as name[i], weighted_ prefixes, accuracy in any case") {
  torch::manual_seed(4);
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd",
                 .loss = "categorical_crossentropy",
                 .metrics = {"Accuracy", metrics::F1Score()},
                 .weighted_metrics = {metrics::CategoricalAccuracy({.name = "Accuracy"})}});
  const torch::Tensor x = torch::randn({6, 3});
  const torch::Tensor y = torch::one_hot(torch::tensor({0, 1, 1, 0, 1, 1}), 2).to(torch::kFloat32);
  const tkeras::Logs logs = model.evaluate(x, y, {.verbose = 0, .sample_weight = torch::ones({6})});
  // "Accuracy" is resolved as "accuracy" is (Keras compares in lower case), so both accuracies agree.
  CHECK(logs.at("Accuracy") == logs.at("weighted_Accuracy"));
  CHECK(logs.contains("f1_score[0]"));
  CHECK(logs.contains("f1_score[1]"));
  CHECK_FALSE(logs.contains("f1_score"));
}

TEST_CASE("compile refuses Mean and Sum, which take values rather than targets and outputs") {
  tkeras::Sequential model({layers::Input({3}), layers::Dense(1)});
  CHECK_THROWS_WITH_AS(model.compile({.loss = "mse", .metrics = {"mean"}}),
                       doctest::Contains("the metric \"mean\" is a Mean, which takes values"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.loss = "mse", .weighted_metrics = {metrics::Sum()}}),
                       doctest::Contains("the metric \"sum\" is a Sum"), tkeras::Error);
}

TEST_CASE("Keras's serialized tensors are read where a metric takes a list of numbers") {
  const tkeras::Config config = {
      {"class_name", "AUC"},
      {"config",
       {{"multi_label", true},
        {"label_weights", {{"class_name", "__tensor__"}, {"config", {{"value", {0.2, 0.8}}, {"dtype", "float32"}}}}}}}};
  const auto auc = metrics::deserialize(config);
  CHECK(auc->get_config()["label_weights"] == tkeras::Config{0.2, 0.8});
}
