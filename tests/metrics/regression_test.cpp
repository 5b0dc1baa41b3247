// Tests for tkeras/metrics/regression.h: Keras's regression metrics.
#include "tkeras/metrics/regression.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/metrics/metric.h"

namespace metrics = tkeras::metrics;

TEST_CASE("the error metrics average the losses' formulas over samples") {
  const torch::Tensor y = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}});
  const torch::Tensor p = torch::tensor({{2.0f, 2.0f}, {3.0f, 1.0f}});
  metrics::MeanSquaredError mse;
  mse.update_state(y, p);
  CHECK(mse.result().item<double>() == doctest::Approx((0.5 + 4.5) / 2));
  metrics::MeanAbsoluteError mae;
  mae.update_state(y, p, torch::tensor({1.0f, 3.0f}));
  CHECK(mae.result().item<double>() == doctest::Approx((0.5 + 3 * 1.5) / 4));
  metrics::RootMeanSquaredError rmse;
  rmse.update_state(y, p);
  CHECK(rmse.result().item<double>() == doctest::Approx(std::sqrt(2.5)));
  metrics::MeanAbsolutePercentageError mape;
  mape.update_state(y, p);
  CHECK(mape.result().item<double>() == doctest::Approx(100.0 * (0.5 + 0.375) / 2));
  CHECK(metrics::get("msle")->class_name() == "MeanSquaredLogarithmicError");
  metrics::LogCoshError log_cosh;
  CHECK(log_cosh.name() == "logcosh");
  log_cosh.update_state(torch::zeros({1, 1}), torch::ones({1, 1}));
  CHECK(log_cosh.result().item<double>() == doctest::Approx(std::log(std::cosh(1.0))));
}

TEST_CASE("class labels against several outputs broadcast in the error metrics, as before") {
  metrics::MeanSquaredError mse;
  mse.update_state(torch::tensor({1, 0}), torch::tensor({{1.0f, 0.0f}, {0.0f, 2.0f}}));
  CHECK(mse.result().item<double>() == doctest::Approx((0.5 + 2.0) / 2));
}

TEST_CASE("cosine similarity is positive for vectors pointing alike, along its axis") {
  metrics::CosineSimilarity cosine;
  cosine.update_state(torch::tensor({{1.0f, 0.0f}, {1.0f, 1.0f}}), torch::tensor({{2.0f, 0.0f}, {-1.0f, -1.0f}}));
  CHECK(cosine.result().item<double>() == doctest::Approx(0.0).epsilon(1e-6));
  metrics::CosineSimilarity first({.axis = 0});
  first.update_state(torch::tensor({{1.0f}, {0.0f}}), torch::tensor({{1.0f}, {1.0f}}));
  CHECK(first.result().item<double>() == doctest::Approx(std::sqrt(0.5)).epsilon(1e-6));
  CHECK(first.get_config()["axis"] == 0);
}

TEST_CASE("R2 score is one minus residual over total sum of squares, aggregated as asked") {
  const torch::Tensor y = torch::tensor({{1.0f, 2.0f}, {2.0f, 4.0f}, {3.0f, 9.0f}});
  const torch::Tensor p = torch::tensor({{1.0f, 3.0f}, {2.0f, 4.0f}, {4.0f, 5.0f}});
  // Unit 0: residual 1, total 2 -> 0.5. Unit 1: residual 17, total 26 -> 9/26.
  metrics::R2Score uniform;
  uniform.update_state(y, p);
  CHECK(uniform.result().item<double>() == doctest::Approx((0.5 + 9.0 / 26.0) / 2));
  metrics::R2Score per_unit({.class_aggregation = ""});
  per_unit.update_state(y, p);
  CHECK(per_unit.result().sizes().vec() == std::vector<int64_t>{2});
  CHECK(per_unit.get_config()["class_aggregation"].is_null());
  metrics::R2Score weighted({.class_aggregation = "variance_weighted_average"});
  weighted.update_state(y, p);
  CHECK(weighted.result().item<double>() == doctest::Approx((2 * 0.5 + 26 * 9.0 / 26.0) / 28));
  // Adjusted: 6 values, 1 regressor.
  metrics::R2Score adjusted({.num_regressors = 1});
  adjusted.update_state(y, p);
  const double r2 = (0.5 + 9.0 / 26.0) / 2;
  CHECK(adjusted.result().item<double>() == doctest::Approx(1 - (1 - r2) * 5 / 4));
  adjusted.reset_state();
  CHECK_THROWS_WITH_AS(adjusted.update_state(torch::zeros({2}), torch::zeros({2, 1, 1})),
                       doctest::Contains("R2Score: expected targets and outputs of shape [batch, units]"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::R2Score({.class_aggregation = "mean"}), doctest::Contains("received \"mean\""),
                       tkeras::Error);
  CHECK(metrics::deserialize(metrics::serialize(weighted))->get_config() == weighted.get_config());
}
