// Tests for tkeras/metrics/reduction.h: Sum, Mean and MeanMetricWrapper, as Keras's.
#include "tkeras/metrics/reduction.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

TEST_CASE("Sum and Mean give Keras's documented values, with and without sample weights") {
  const torch::Tensor values = torch::tensor({1.0f, 3.0f, 5.0f, 7.0f});
  const torch::Tensor weights = torch::tensor({1.0f, 1.0f, 0.0f, 0.0f});
  metrics::Sum sum;
  sum.update_state(values);
  CHECK(sum.result().item<double>() == 16.0);
  sum.reset_state();
  sum.update_state(values, weights);
  CHECK(sum.result().item<double>() == 4.0);
  metrics::Mean mean;
  CHECK(mean.result().item<double>() == 0.0);  // divide_no_nan before any update
  mean.update_state(values);
  CHECK(mean.result().item<double>() == 4.0);
  mean.reset_state();
  mean.update_state(values, weights);
  CHECK(mean.result().item<double>() == 2.0);
  CHECK(mean.get_config() == tkeras::Config{{"name", "mean"}, {"dtype", "float32"}});
}

TEST_CASE("Mean averages each sample's values first, and a scalar counts as one sample") {
  metrics::Mean mean;
  // Samples of 2 values: per-sample means 1.5 and 5, weighted 1 and 3.
  mean.update_state(torch::tensor({{1.0f, 2.0f}, {4.0f, 6.0f}}), torch::tensor({1.0f, 3.0f}));
  CHECK(mean.result().item<double>() == doctest::Approx((1.5 + 15.0) / 4.0));
  metrics::Mean unweighted;
  unweighted.update_state(torch::tensor({{1.0f, 2.0f}, {4.0f, 6.0f}}));
  unweighted.update_state(torch::tensor(10.0f));
  CHECK(unweighted.result().item<double>() == doctest::Approx((1.5 + 5.0 + 10.0) / 3.0));
  metrics::Sum sum;
  sum.update_state(torch::tensor({{1.0f, 2.0f}, {4.0f, 6.0f}}), torch::tensor({1.0f, 0.5f}));
  CHECK(sum.result().item<double>() == doctest::Approx(3.0 + 5.0));
}

TEST_CASE("Mean and Sum refuse targets and outputs, which only a MeanMetricWrapper turns into values") {
  metrics::Mean mean;
  metrics::Metric& base = mean;
  CHECK_THROWS_WITH_AS(base.update_state(torch::zeros({2}), torch::zeros({2})),
                       doctest::Contains("mean: a Mean takes values (update_state(values, sample_weight))"),
                       tkeras::Error);
  metrics::Sum sum;
  metrics::Metric& sum_base = sum;
  CHECK_THROWS_AS(sum_base.update_state(torch::zeros({2}), torch::zeros({2}), torch::Tensor()), tkeras::Error);
}

TEST_CASE("MeanMetricWrapper averages a function of targets and outputs over samples") {
  metrics::MeanMetricWrapper max_error(
      [](const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().amax(-1); }, "max_error");
  max_error.update_state(torch::zeros({2, 3}), torch::tensor({{1.0f, -4.0f, 2.0f}, {0.5f, 0.0f, 0.0f}}));
  CHECK(max_error.result().item<double>() == doctest::Approx(2.25));
  max_error.update_state(torch::zeros({1, 3}), torch::tensor({{1.0f, 1.0f, 1.0f}}), torch::tensor({2.0f}));
  CHECK(max_error.result().item<double>() == doctest::Approx((4.5 + 2.0) / 4.0));
  CHECK(max_error.class_name() == "MeanMetricWrapper");
  CHECK_THROWS_WITH_AS(metrics::MeanMetricWrapper(nullptr, "none"),
                       "MeanMetricWrapper \"none\": expected a function, received none", tkeras::Error);
}
