// Tests for ReLU: Keras's cap, leak and threshold, its checks and its config.
#include "tkeras/layers/relu.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

torch::Tensor applied(layers::ReLUOptions options, const torch::Tensor& x) {
  layers::ReLU relu(options);
  relu.build({x.size(1)});
  return relu(x);
}

}  // namespace

TEST_CASE("ReLU caps, leaks and thresholds as Keras's examples show") {
  // Keras's docstring: x = [-10, -5, 0, 5, 10].
  const torch::Tensor x = torch::tensor({{-10.0f, -5.0f, 0.0f, 5.0f, 10.0f}});
  CHECK(torch::equal(applied({}, x), torch::tensor({{0.0f, 0.0f, 0.0f, 5.0f, 10.0f}})));
  CHECK(torch::equal(applied({.negative_slope = 0.5}, x), torch::tensor({{-5.0f, -2.5f, 0.0f, 5.0f, 10.0f}})));
  CHECK(torch::equal(applied({.max_value = 5.0}, x), torch::tensor({{0.0f, 0.0f, 0.0f, 5.0f, 5.0f}})));
  CHECK(torch::equal(applied({.threshold = 5.0}, x), torch::tensor({{0.0f, 0.0f, 0.0f, 0.0f, 10.0f}})));
  // All three: x above the threshold, capped, less slope * (threshold - x) below it.
  CHECK(torch::allclose(applied({.max_value = 8.0, .negative_slope = 0.5, .threshold = 5.0}, x),
                        torch::tensor({{-7.5f, -5.0f, -2.5f, 0.0f, 8.0f}})));
}

TEST_CASE("ReLU refuses negative options as Keras does, and its config round-trips with a null cap") {
  CHECK_THROWS_WITH_AS(layers::ReLU({.max_value = -1.0}), "ReLU: expected max_value >= 0, received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::ReLU({.negative_slope = -0.1}), doctest::Contains("negative_slope >= 0"), tkeras::Error);
  layers::ReLU six({.max_value = 6.0});
  CHECK(six.name().starts_with("re_lu"));  // Keras's name for ReLU
  const tkeras::Config config = six.get_config();
  CHECK(config.at("max_value") == 6.0);
  CHECK(layers::ReLU::from_config(config)->options().max_value == 6.0);
  const tkeras::Config plain = layers::ReLU().get_config();
  CHECK(plain.at("max_value").is_null());
  CHECK_FALSE(layers::ReLU::from_config(plain)->options().max_value.has_value());
}
