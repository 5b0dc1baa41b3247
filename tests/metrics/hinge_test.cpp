// Tests for tkeras/metrics/hinge.h: Keras's hinge metrics.
#include "tkeras/metrics/hinge.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

namespace metrics = tkeras::metrics;

TEST_CASE("the hinge metrics average the hinge losses, targets of 0 mapped to -1") {
  const torch::Tensor y = torch::tensor({{0.0f, 1.0f}, {1.0f, 1.0f}});
  const torch::Tensor p = torch::tensor({{0.5f, 0.2f}, {-1.0f, 2.0f}});
  // Per value max(1 - y p, 0): 1.5, 0.8; 2, 0.
  metrics::Hinge hinge;
  hinge.update_state(y, p);
  CHECK(hinge.result().item<double>() == doctest::Approx((1.15 + 1.0) / 2));
  metrics::SquaredHinge squared;
  squared.update_state(y, p);
  CHECK(squared.result().item<double>() == doctest::Approx(((2.25 + 0.64) / 2 + 2.0) / 2));
  metrics::CategoricalHinge categorical;
  // max(0, max((1 - y) p) - sum(y p) + 1): one-hot rows.
  categorical.update_state(torch::tensor({{0.0f, 1.0f}}), torch::tensor({{0.5f, 0.2f}}));
  CHECK(categorical.result().item<double>() == doctest::Approx(0.5 - 0.2 + 1.0));
  CHECK(categorical.name() == "categorical_hinge");
}
