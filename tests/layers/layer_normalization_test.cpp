// Tests for LayerNormalization: Keras's formula over one or several axes, its weights, options,
// errors and config.
#include "tkeras/layers/layer_normalization.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

// (x - mean) / sqrt(variance + 0.001) of [1, 2, 3, 4] (mean 2.5, variance 1.25), by hand.
torch::Tensor layer_norm_of_1234() { return torch::tensor({-1.3411045F, -0.4470348F, 0.4470348F, 1.3411045F}); }

std::vector<std::string> layer_norm_weight_names(const layers::Layer& layer) {
  std::vector<std::string> names;
  for (const auto& weight : layer.weights()) names.push_back(weight.name);
  return names;
}

}  // namespace

TEST_CASE("LayerNormalization normalises each sample over its last axis with gamma then beta") {
  layers::LayerNormalization norm;
  CHECK(norm.name().starts_with("layer_normalization"));
  CHECK(norm.build({2, 4}) == tkeras::Shape{2, 4});
  CHECK(layer_norm_weight_names(norm) == std::vector<std::string>{"gamma", "beta"});
  CHECK(norm.weights()[0].value.sizes().vec() == std::vector<int64_t>{4});
  CHECK(norm.supports_masking());
  // Each row on its own: a shifted and scaled row normalises to the same values.
  const torch::Tensor x =
      torch::stack({torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}), torch::tensor({11.0F, 12.0F, 13.0F, 14.0F})}).unsqueeze(0);
  const torch::Tensor y = norm(x);
  CHECK(torch::allclose(y[0][0], layer_norm_of_1234(), 1e-5, 1e-6));
  CHECK(torch::allclose(y[0][1], layer_norm_of_1234(), 1e-5, 1e-5));
  // gamma scales and beta shifts each feature.
  norm.set_weights({torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}), torch::tensor({0.5F, 0.5F, 0.5F, 0.5F})});
  const torch::Tensor expected = layer_norm_of_1234() * torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}) + 0.5F;
  CHECK(torch::allclose(norm(x)[0][0], expected, 1e-5, 1e-5));
}

TEST_CASE("LayerNormalization over several axes has weights of their shape and normalises them together") {
  layers::LayerNormalization norm({.axis = {3, 1, 2}});
  CHECK(norm.options().axis == std::vector<int64_t>{1, 2, 3});  // sorted, as Keras keeps them
  norm.build({2, 2, 1});
  CHECK(norm.weights()[0].value.sizes().vec() == std::vector<int64_t>{2, 2, 1});
  const torch::Tensor x = torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}).reshape({1, 2, 2, 1});
  CHECK(torch::allclose(norm(x).flatten(), layer_norm_of_1234(), 1e-5, 1e-6));
}

TEST_CASE("LayerNormalization over an axis that is not last normalises along it, with weights of its length") {
  // [1, 4, 2]: each of the 2 columns normalised over the 4 steps (Keras's moments path).
  layers::LayerNormalization norm({.axis = {1}});
  norm.build({4, 2});
  CHECK(norm.weights()[0].value.sizes().vec() == std::vector<int64_t>{4});
  const torch::Tensor column = torch::tensor({1.0F, 2.0F, 3.0F, 4.0F});
  const torch::Tensor x = torch::stack({column, column * 10.0F}, 1).unsqueeze(0);
  const torch::Tensor y = norm(x);
  CHECK(torch::allclose(y[0].select(1, 0), layer_norm_of_1234(), 1e-5, 1e-5));
  // Gamma and beta follow the normalised axis (one value per step).
  norm.set_weights({torch::tensor({1.0F, 1.0F, 1.0F, 2.0F}), torch::tensor({0.0F, 0.0F, 0.0F, 1.0F})});
  CHECK(norm(x)[0][3][0].item<float>() == doctest::Approx(2.0 * 1.3411045 + 1.0).epsilon(1e-5));
  // Negative axes count from the end: -2 is the same axis.
  layers::LayerNormalization negative({.axis = {-2}});
  negative.build({4, 2});
  CHECK(torch::allclose(negative(x), y, 1e-5, 1e-6));
}

TEST_CASE("LayerNormalization's center, scale and rms_scaling choose its weights as Keras's") {
  layers::LayerNormalization no_center({.center = false});
  no_center.build({4});
  CHECK(layer_norm_weight_names(no_center) == std::vector<std::string>{"gamma"});
  layers::LayerNormalization no_scale({.scale = false});
  no_scale.build({4});
  CHECK(layer_norm_weight_names(no_scale) == std::vector<std::string>{"beta"});
  const torch::Tensor x = torch::tensor({{1.0F, 2.0F, 3.0F, 4.0F}});
  CHECK(torch::allclose(no_scale(x)[0], layer_norm_of_1234(), 1e-5, 1e-6));
  layers::LayerNormalization neither({.center = false, .scale = false});
  neither.build({4});
  CHECK(neither.weights().empty());
  CHECK(torch::allclose(neither(x)[0], layer_norm_of_1234(), 1e-5, 1e-6));
  // rms_scaling: x / sqrt(variance + epsilon), the mean not subtracted; gamma only.
  layers::LayerNormalization rms({.center = true, .rms_scaling = true});
  rms.build({4});
  CHECK(layer_norm_weight_names(rms) == std::vector<std::string>{"gamma"});
  CHECK(torch::allclose(rms(x)[0], torch::tensor({0.8940696F, 1.7881393F, 2.6822089F, 3.5762785F}), 1e-5, 1e-6));
}

TEST_CASE("LayerNormalization refuses the batch axis, axes outside the input and an axis twice") {
  layers::LayerNormalization batch({.axis = {0}});
  CHECK_THROWS_WITH_AS(batch.build({3, 4}), doctest::Contains("expected axes other than the batch axis (0)"),
                       tkeras::Error);
  layers::LayerNormalization outside({.axis = {3}});
  CHECK_THROWS_WITH_AS(
      outside.build({3, 4}),
      fmt::format("LayerNormalization \"{}\": expected axes in [-3, 3) for input (None, 3, 4), received axis=[3]",
                  outside.name())
          .c_str(),
      tkeras::Error);
  layers::LayerNormalization twice({.axis = {-1, 2}});
  CHECK_THROWS_WITH_AS(twice.build({3, 4}), doctest::Contains("expected each axis once"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::LayerNormalization({.axis = {}}),
                       "LayerNormalization: expected at least one axis, received axis=[]", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::LayerNormalization({.epsilon = -1.0}),
                       "LayerNormalization: expected a non-negative epsilon, received -1", tkeras::Error);
}

TEST_CASE("LayerNormalization reads Keras's axis as a number or a list and writes it as a list") {
  layers::LayerNormalization norm({.axis = {-1}, .epsilon = 1e-6, .center = false});
  const tkeras::Config config = norm.get_config();
  CHECK(config.at("axis") == tkeras::Config::array({-1}));
  CHECK(config.at("epsilon") == 1e-6);
  CHECK(config.at("center") == false);
  CHECK(config.at("scale") == true);
  CHECK(config.at("rms_scaling") == false);
  CHECK(layers::LayerNormalization::from_config(config)->get_config() == config);
  tkeras::Config keras = {{"name", "ln"}, {"axis", 2}, {"epsilon", 1e-5}};
  const auto read = layers::LayerNormalization::from_config(keras);
  CHECK(read->name() == "ln");
  CHECK(read->options().axis == std::vector<int64_t>{2});
  CHECK(read->options().epsilon == 1e-5);
  CHECK(layers::LayerNormalization::from_config({{"axis", {1, 3}}})->options().axis == std::vector<int64_t>{1, 3});
  CHECK(layers::LayerNormalization::from_config(tkeras::Config::object())->options().axis == std::vector<int64_t>{-1});
  CHECK_THROWS_WITH_AS(layers::LayerNormalization::from_config({{"axis", "last"}}),
                       "LayerNormalization: expected axis as an integer or a list of integers, received \"last\"",
                       tkeras::Error);
}
