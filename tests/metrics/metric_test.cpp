// Tests for tkeras/metrics/metric.h: the Metric base, Identifier, and Keras's get, serialize and
// deserialize.
#include "tkeras/metrics/metric.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <torch/torch.h>

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

namespace {

// A metric of one's own, as a user writes one: the largest absolute error seen.
class MaxError : public metrics::Metric {
 public:
  MaxError() : Metric("max_error"), largest_(add_variable("largest")) {}
  std::string class_name() const override { return "MaxError"; }
  using Metric::update_state;
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& /*sample_weight*/) override {
    variable(largest_).copy_(torch::maximum(variable(largest_), (y_pred - y_true).abs().max().to(torch::kFloat64)));
  }
  torch::Tensor result() const override { return variable(largest_).clone(); }

 private:
  size_t largest_;
};

}  // namespace

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
  CHECK_THROWS_WITH_AS(metrics::serialize(MaxError()),
                       doctest::Contains("of class MaxError, which is not one of tkeras's"), tkeras::Error);
  CHECK(metrics::fresh_copy(top)->name() == "top3");
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
