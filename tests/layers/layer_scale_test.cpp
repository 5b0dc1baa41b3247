// Tests for LayerScale: ConvNeXt's learned per-channel scale.
#include "tkeras/layers/layer_scale.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("LayerScale multiplies each channel by its gamma, which starts at init_values") {
  layers::LayerScale scale(0.5, 3);
  scale.build({2, 3});
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 2, 3});
  CHECK(torch::allclose(scale(x), x * 0.5));
  scale.set_weights({torch::tensor({1.0f, 2.0f, 3.0f})});
  CHECK(torch::allclose(scale(x), x * torch::tensor({1.0f, 2.0f, 3.0f})));
  CHECK(scale.weights().front().name == "variable");
}

TEST_CASE("LayerScale refuses inputs of another channel count, and its config round-trips") {
  layers::LayerScale scale(1e-6, 4);
  CHECK_THROWS_WITH_AS(scale.build({2, 3}), doctest::Contains("expected inputs of 4 channels"), tkeras::Error);
  const auto again = layers::LayerScale::from_config(layers::LayerScale(1e-6, 4).get_config());
  CHECK(again->get_config().at("projection_dim") == 4);
  CHECK(again->get_config().at("init_values") == 1e-6);
}
