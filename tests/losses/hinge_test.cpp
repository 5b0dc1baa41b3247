// Tests for tkeras/losses/hinge.h: Keras's hinge losses, with 0/1 targets taken as -1/1.
#include "tkeras/losses/hinge.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

namespace losses = tkeras::losses;

TEST_CASE("hinge and squared hinge take 0/1 targets as -1/1, and others as they are") {
  const torch::Tensor p = torch::tensor({{0.6f, -0.4f}, {2.0f, 0.3f}});
  const torch::Tensor binary = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  // Signed: (1, -1), (-1, 1); margins 1 - y p: 0.4, 0.6; 3.0, 0.7.
  CHECK(losses::Hinge()(binary, p).item<double>() == doctest::Approx(((0.4 + 0.6) / 2 + (3.0 + 0.7) / 2) / 2));
  CHECK(losses::SquaredHinge()(binary, p).item<double>() ==
        doctest::Approx(((0.16 + 0.36) / 2 + (9.0 + 0.49) / 2) / 2));
  // Targets already -1/1 (and one 0.5) are left as they are.
  const torch::Tensor signed_targets = torch::tensor({{1.0f, -1.0f}, {0.5f, 1.0f}});
  CHECK(losses::Loss("hinge")(signed_targets, p).item<double>() ==
        doctest::Approx(((0.4 + 0.6) / 2 + (0.0 + 0.7) / 2) / 2));
}

TEST_CASE("categorical hinge is max(best wrong score - true score + 1, 0)") {
  const torch::Tensor y = torch::tensor({{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}});
  const torch::Tensor p = torch::tensor({{0.2f, 0.5f, 0.3f}, {3.0f, 0.5f, 0.1f}});
  CHECK(losses::CategoricalHinge()(y, p).item<double>() == doctest::Approx(((0.3 - 0.5 + 1.0) + 0.0) / 2));
}
