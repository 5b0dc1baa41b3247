// Tests for tkeras/losses/regression.h: Keras's formulas for the regression losses.
#include "tkeras/losses/regression.h"

#include <cmath>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace losses = tkeras::losses;

TEST_CASE("mean squared error is the mean of squared differences, by either name") {
  const torch::Tensor y = torch::tensor({{1.0f}, {2.0f}});
  const torch::Tensor p = torch::tensor({{2.0f}, {4.0f}});
  CHECK(losses::Loss("mean_squared_error")(y, p).item<double>() == doctest::Approx(2.5));
  CHECK(losses::Loss("mse").name() == "mean_squared_error");
  CHECK(losses::MeanSquaredError()(y, p).item<double>() == doctest::Approx(2.5));
}

TEST_CASE("mean absolute error is the mean of absolute differences, by either name") {
  const torch::Tensor y = torch::tensor({{1.0f}, {2.0f}});
  const torch::Tensor p = torch::tensor({{2.0f}, {-1.0f}});
  CHECK(losses::Loss("mae")(y, p).item<double>() == doctest::Approx(2.0));
  CHECK(losses::Loss("mae").name() == "mean_absolute_error");
  CHECK(losses::MeanAbsoluteError()(y, p).item<double>() == doctest::Approx(2.0));
}

TEST_CASE("Huber is quadratic within delta and linear beyond it, as Keras's") {
  const torch::Tensor y = torch::zeros({3, 1});
  const torch::Tensor p = torch::tensor({{0.5f}, {-2.0f}, {4.0f}});
  // delta 1: 0.125, 2 - 0.5, 4 - 0.5.
  CHECK(losses::Loss("huber")(y, p).item<double>() == doctest::Approx((0.125 + 1.5 + 3.5) / 3));
  // delta 3: 0.125, 2, 12 - 4.5.
  CHECK(losses::Huber({.delta = 3.0})(y, p).item<double>() == doctest::Approx((0.125 + 2.0 + 7.5) / 3));
  CHECK(losses::Huber({.delta = 3.0}).get_config()["delta"] == 3.0);
  CHECK_THROWS_WITH_AS(losses::Huber({.delta = 0.0}), "Huber: expected a positive delta, received 0", tkeras::Error);
}

TEST_CASE("percentage and logarithmic errors are Keras's, with targets of 0 clipped to epsilon") {
  const torch::Tensor y = torch::tensor({{2.0f, 0.0f}, {4.0f, 1.0f}});
  const torch::Tensor p = torch::tensor({{1.0f, 1e-8f}, {5.0f, 3.0f}});
  const double mape = 100.0 * ((0.5 + 1e-8 / 1e-7) / 2 + (0.25 + 2.0) / 2) / 2;
  CHECK(losses::Loss("mape")(y, p).item<double>() == doctest::Approx(mape).epsilon(1e-5));
  const auto log1 = [](double x) { return std::log(std::max(x, 1e-7) + 1.0); };
  const double msle = ((std::pow(log1(1) - log1(2), 2) + std::pow(log1(1e-8) - log1(0), 2)) / 2 +
                       (std::pow(log1(5) - log1(4), 2) + std::pow(log1(3) - log1(1), 2)) / 2) /
                      2;
  CHECK(losses::MeanSquaredLogarithmicError()(y, p).item<double>() == doctest::Approx(msle).epsilon(1e-5));
  CHECK(losses::Loss("msle").class_name() == "MeanSquaredLogarithmicError");
}

TEST_CASE("log-cosh is log(cosh(error)), stable for large errors") {
  const torch::Tensor y = torch::zeros({1, 3});
  const torch::Tensor p = torch::tensor({{0.5f, -2.0f, 100.0f}});
  const double expected = (std::log(std::cosh(0.5)) + std::log(std::cosh(2.0)) + (100.0 - std::log(2.0))) / 3;
  CHECK(losses::LogCosh()(y, p).item<double>() == doctest::Approx(expected).epsilon(1e-5));
}

TEST_CASE("cosine similarity is minus the cosine of the angle, along the chosen axis") {
  const torch::Tensor y = torch::tensor({{1.0f, 0.0f}, {1.0f, 1.0f}});
  const torch::Tensor p = torch::tensor({{2.0f, 0.0f}, {-1.0f, 0.0f}});
  CHECK(losses::CosineSimilarity()(y, p).item<double>() == doctest::Approx((-1.0 + std::sqrt(0.5)) / 2));
  // Along the batch axis: columns (1, 1) against (2, -1), and (0, 1) against (0, 0).
  CHECK(losses::CosineSimilarity({.axis = 0})(y, p).item<double>() ==
        doctest::Approx(-(1.0 / std::sqrt(2.0) / std::sqrt(5.0)) / 2));
  CHECK_THROWS_WITH_AS(losses::CosineSimilarity({.axis = 2})(y, p),
                       "cosine_similarity: expected an axis in -2..1 for values of rank 2, received axis=2",
                       tkeras::Error);
}

TEST_CASE("targets that do not match the outputs are refused, naming both shapes") {
  CHECK_THROWS_WITH_AS(losses::MeanSquaredError().prepare_targets(torch::zeros({4}), {3}, "Dense \"d\""),
                       "mean_squared_error: expected targets of shape [4, 3] matching outputs (None, 3), received y of "
                       "shape [4]",
                       tkeras::Error);
}
