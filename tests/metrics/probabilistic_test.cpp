// Tests for tkeras/metrics/probabilistic.h: Keras's cross-entropy, KL and Poisson metrics.
#include "tkeras/metrics/probabilistic.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/metrics/metric.h"

namespace metrics = tkeras::metrics;

TEST_CASE("the cross-entropy metrics are the losses' values averaged over samples") {
  metrics::BinaryCrossentropy binary;
  binary.update_state(torch::tensor({{1.0f}, {0.0f}}), torch::tensor({{0.8f}, {0.4f}}));
  CHECK(binary.result().item<double>() == doctest::Approx((-std::log(0.8) - std::log(0.6)) / 2).epsilon(1e-5));
  metrics::BinaryCrossentropy logits({.from_logits = true, .label_smoothing = 0.2});
  CHECK(logits.get_config() ==
        tkeras::Config{
            {"name", "binary_crossentropy"}, {"dtype", "float32"}, {"from_logits", true}, {"label_smoothing", 0.2}});
  metrics::CategoricalCrossentropy categorical;
  categorical.update_state(torch::tensor({{0.0f, 1.0f}, {1.0f, 0.0f}}), torch::tensor({{0.3f, 0.7f}, {0.9f, 0.1f}}));
  CHECK(categorical.result().item<double>() == doctest::Approx((-std::log(0.7) - std::log(0.9)) / 2).epsilon(1e-5));
  metrics::SparseCategoricalCrossentropy sparse;
  sparse.update_state(torch::tensor({1, 0}), torch::tensor({{0.3f, 0.7f}, {0.9f, 0.1f}}), torch::tensor({1.0f, 3.0f}));
  CHECK(sparse.result().item<double>() == doctest::Approx((-std::log(0.7) - 3 * std::log(0.9)) / 4).epsilon(1e-5));
}

TEST_CASE("the sparse cross-entropy metric leaves the ignored class out of its mean") {
  metrics::SparseCategoricalCrossentropy sparse({.ignore_class = -1});
  // One sequence of 3 positions, the last ignored: the mean is over the other two.
  sparse.update_state(torch::tensor({{1, 0, -1}}), torch::tensor({{{0.3f, 0.7f}, {0.9f, 0.1f}, {0.5f, 0.5f}}}));
  CHECK(sparse.result().item<double>() == doctest::Approx((-std::log(0.7) - std::log(0.9)) / 2).epsilon(1e-5));
  CHECK(sparse.get_config()["ignore_class"] == -1);
  CHECK(metrics::SparseCategoricalCrossentropy().get_config()["ignore_class"].is_null());
}

TEST_CASE("KL divergence and Poisson average the losses' formulas") {
  metrics::KLDivergence kl;
  kl.update_state(torch::tensor({{0.5f, 0.5f}}), torch::tensor({{0.25f, 0.75f}}));
  CHECK(kl.result().item<double>() ==
        doctest::Approx(0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75)).epsilon(1e-5));
  metrics::Poisson poisson;
  poisson.update_state(torch::tensor({{2.0f}}), torch::tensor({{1.0f}}));
  CHECK(poisson.result().item<double>() == doctest::Approx(1.0 - 2.0 * std::log(1.0 + 1e-7)).epsilon(1e-5));
  CHECK(metrics::get("bce")->class_name() == "BinaryCrossentropy");
}
