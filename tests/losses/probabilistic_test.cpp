// Tests for tkeras/losses/probabilistic.h: Kullback-Leibler divergence, Poisson and CTC as Keras's.
#include "tkeras/losses/probabilistic.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace losses = tkeras::losses;

TEST_CASE("KL divergence and Poisson are Keras's formulas, with Keras's clipping") {
  const torch::Tensor y = torch::tensor({{0.5f, 0.5f, 0.0f}});
  const torch::Tensor p = torch::tensor({{0.25f, 0.75f, 0.0f}});
  const double kl = 0.5 * std::log(2.0) + 0.5 * std::log(0.5 / 0.75) + 1e-7 * std::log(1.0);
  CHECK(losses::Loss("kld")(y, p).item<double>() == doctest::Approx(kl).epsilon(1e-5));
  const torch::Tensor counts = torch::tensor({{2.0f, 0.0f}});
  const torch::Tensor rates = torch::tensor({{1.5f, 0.5f}});
  CHECK(losses::Poisson()(counts, rates).item<double>() ==
        doctest::Approx(((1.5 - 2.0 * std::log(1.5 + 1e-7)) + 0.5) / 2).epsilon(1e-5));
}

TEST_CASE("CTC is LibTorch's over log-softmax, with 0 the blank and the labels ending at their zeros") {
  torch::manual_seed(5);
  const torch::Tensor outputs = torch::randn({2, 6, 4});
  const torch::Tensor labels = torch::tensor({{1, 2, 2, 0}, {3, 0, 0, 0}});
  const torch::Tensor log_probs = torch::log_softmax(outputs, -1).transpose(0, 1);
  const torch::Tensor expected =
      torch::ctc_loss(log_probs, labels, torch::tensor({6, 6}), torch::tensor({3, 1}), 0, at::Reduction::None);
  const losses::CTC loss;
  CHECK(loss(labels, outputs).item<double>() == doctest::Approx(expected.mean().item<double>()));
  CHECK(loss.prepare_targets(labels.to(torch::kFloat32), {6, 4}, "Dense \"d\"").equal(labels));
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({{1, 4}}), {6, 4}, "Dense \"d\""),
                       "Dense \"d\" has 4 classes, so ctc expects labels in 0..3 (0 the blank); received labels from 1 "
                       "to 4",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({1, 2}), {6, 4}, "Dense \"d\""),
                       "ctc: expected outputs [N, T, C] and labels [N, L], received outputs (None, 6, 4) from Dense "
                       "\"d\" and y of shape [2]",
                       tkeras::Error);
}
