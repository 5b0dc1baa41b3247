// Tests for Dense.
#include "tkeras/layers/dense.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

TEST_CASE("Dense infers its input width and keeps Keras's kernel layout") {
  tkeras::layers::Dense dense(128, "relu");
  CHECK(dense.build({784}) == tkeras::Shape{128});
  CHECK(dense.weights()[0].value.sizes().vec() == std::vector<int64_t>{784, 128});
  CHECK(dense.weights()[1].value.sizes().vec() == std::vector<int64_t>{128});
  CHECK(dense.count_params() == 100480);
}

TEST_CASE("Dense starts Glorot-uniform with a zero bias") {
  tkeras::layers::Dense dense(10);
  dense.build({90});
  const double limit = std::sqrt(6.0 / 100.0);
  CHECK(dense.weights()[0].value.abs().max().item<double>() <= limit);
  CHECK(dense.weights()[0].value.std().item<double>() > limit / 4);
  CHECK(dense.weights()[1].value.abs().sum().item<double>() == 0.0);
}

TEST_CASE("Dense computes activation(inputs . kernel + bias)") {
  tkeras::layers::Dense dense(2, "relu");
  dense.build({3});
  const torch::Tensor x = torch::randn({4, 3});
  const torch::Tensor kernel = dense.weights()[0].value;
  const torch::Tensor bias = dense.weights()[1].value;
  const torch::NoGradGuard no_grad;
  bias.fill_(0.5);
  CHECK(torch::allclose(dense(x), torch::relu(x.matmul(kernel) + bias)));
  CHECK(torch::allclose(dense.call_without_activation(x, false), x.matmul(kernel) + bias));
  CHECK(dense.activation() == "relu");
}

TEST_CASE("Dense without bias has only a kernel") {
  tkeras::layers::Dense dense(4, "", false);
  dense.build({2});
  CHECK(dense.weights().size() == 1);
  CHECK(dense.activation() == "linear");
}

TEST_CASE("Dense on a 3-D input acts on the last axis, as in Keras") {
  tkeras::layers::Dense dense(5);
  CHECK(dense.build({7, 3}) == tkeras::Shape{7, 5});
  const torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({2, 7, 3});
  CHECK(dense(x).sizes().vec() == std::vector<int64_t>{2, 7, 5});
  CHECK(torch::allclose(dense(x)[1][3], dense(x[1][3].unsqueeze(0))[0]));
}

TEST_CASE("Dense refuses non-positive units and unknown activations") {
  CHECK_THROWS_WITH_AS(tkeras::layers::Dense(0), "Dense: expected a positive number of units, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::layers::Dense(3, "softmx"), doctest::Contains("unknown activation \"softmx\""),
                       tkeras::Error);
}

TEST_CASE("Dense on a 4-D input acts on the last axis too") {
  tkeras::layers::Dense dense(3);
  CHECK(dense.build({5, 5, 8}) == tkeras::Shape{5, 5, 3});
  CHECK(dense.count_params() == 27);
  const torch::NoGradGuard no_grad;
  CHECK(dense(torch::randn({2, 5, 5, 8})).sizes().vec() == std::vector<int64_t>{2, 5, 5, 3});
}
