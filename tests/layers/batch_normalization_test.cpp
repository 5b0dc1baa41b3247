// Tests for BatchNormalization: Keras's statistics and momentum.
#include "tkeras/layers/batch_normalization.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

TEST_CASE("BatchNormalization has gamma, beta and two non-trainable moving statistics per channel") {
  tkeras::layers::BatchNormalization norm;
  CHECK(norm.build({10}) == tkeras::Shape{10});
  CHECK(norm.count_params() == 40);
  CHECK(norm.trainable_weights().size() == 2);
  CHECK(norm.weights()[2].name == "moving_mean");
  CHECK_FALSE(norm.weights()[3].trainable);
}

TEST_CASE("a training batch normalises with its own statistics and moves the averages by 1 - momentum") {
  tkeras::layers::BatchNormalization norm({.momentum = 0.9, .epsilon = 1e-3});
  norm.build({2});
  const torch::Tensor x = torch::tensor({{1.0f, 10.0f}, {3.0f, 10.0f}, {5.0f, 40.0f}, {7.0f, 40.0f}});
  const torch::Tensor out = norm(x, /*training=*/true);
  // Means 4 and 25; biased variances 5 and 225, as Keras computes them.
  CHECK(torch::allclose(norm.weights()[2].value, torch::tensor({0.4f, 2.5f})));
  CHECK(torch::allclose(norm.weights()[3].value, torch::tensor({0.9f + 0.5f, 0.9f + 22.5f})));
  CHECK(torch::allclose(out.mean(0), torch::zeros({2}), 1e-5, 1e-5));
  CHECK(out[0][0].item<float>() == doctest::Approx(-3.0 / std::sqrt(5.001)));
}

TEST_CASE("outside training BatchNormalization uses the moving averages and changes nothing") {
  tkeras::layers::BatchNormalization norm;
  norm.build({3});
  const torch::Tensor x = torch::randn({5, 3});
  CHECK(torch::allclose(norm(x), x / std::sqrt(1.0 + 1e-3)));
  CHECK(torch::equal(norm.weights()[2].value, torch::zeros({3})));
}

TEST_CASE("BatchNormalization on images normalises the channels, the last axis") {
  tkeras::layers::BatchNormalization norm;
  norm.build({4, 4, 3});
  const torch::Tensor x = torch::randn({2, 4, 4, 3}) * 5 + 2;
  const torch::Tensor out = norm(x, true);
  CHECK(torch::allclose(out.mean({0, 1, 2}), torch::zeros({3}), 1e-4, 1e-4));
}

TEST_CASE("BatchNormalization without scale or center has no gamma or beta, as InceptionV3's") {
  tkeras::layers::BatchNormalization bn({.center = true, .scale = false});
  bn.build({3});
  std::vector<std::string> names;
  for (const auto& weight : bn.weights()) names.push_back(weight.name);
  CHECK(names == std::vector<std::string>{"beta", "moving_mean", "moving_variance"});
  const torch::Tensor x = torch::tensor({{1.0f, 2.0f, 3.0f}});
  CHECK(torch::allclose(bn(x), x / std::sqrt(1.001f)));
  CHECK(tkeras::layers::BatchNormalization::from_config(bn.get_config())->options().scale == false);
}
