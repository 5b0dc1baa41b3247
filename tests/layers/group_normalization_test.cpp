// Tests for GroupNormalization: Keras's groups of channels, instance normalization, its weights,
// errors and config.
#include "tkeras/layers/group_normalization.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

std::vector<std::string> group_norm_weight_names(const layers::Layer& layer) {
  std::vector<std::string> names;
  for (const auto& weight : layer.weights()) names.push_back(weight.name);
  return names;
}

}  // namespace

TEST_CASE("GroupNormalization normalises each group of channels on its own, with per-channel gamma then beta") {
  layers::GroupNormalization norm({.groups = 2});
  CHECK(norm.name().starts_with("group_normalization"));
  CHECK(norm.build({1, 4}) == tkeras::Shape{1, 4});
  CHECK(group_norm_weight_names(norm) == std::vector<std::string>{"gamma", "beta"});
  CHECK(norm.weights()[0].value.sizes().vec() == std::vector<int64_t>{4});
  CHECK(norm.supports_masking());
  // Groups {1, 2} and {30, 40}: means 1.5 and 35, variances 0.25 and 25, by hand.
  const torch::Tensor x = torch::tensor({1.0F, 2.0F, 30.0F, 40.0F}).reshape({1, 1, 4});
  const float small = 0.5F / std::sqrt(0.25F + 1e-3F);
  const float large = 5.0F / std::sqrt(25.0F + 1e-3F);
  CHECK(torch::allclose(norm(x).flatten(), torch::tensor({-small, small, -large, large}), 1e-5, 1e-5));
  norm.set_weights({torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}), torch::tensor({0.0F, 1.0F, 0.0F, 0.0F})});
  CHECK(torch::allclose(norm(x).flatten(), torch::tensor({-small, 2 * small + 1, -3 * large, 4 * large}), 1e-5, 1e-5));
}

TEST_CASE("GroupNormalization's groups span the other axes of the sample, and -1 is instance normalization") {
  // Steps [1, 3] and [10, 30] of two channels.
  const torch::Tensor x = torch::tensor({1.0F, 10.0F, 3.0F, 30.0F}).reshape({1, 2, 2});
  const float one = 1.0F / std::sqrt(1.0F + 1e-3F);         // channel 0: mean 2, variance 1
  const float hundred = 10.0F / std::sqrt(100.0F + 1e-3F);  // channel 1: mean 20, variance 100
  layers::GroupNormalization instance({.groups = -1});
  instance.build({2, 2});
  CHECK(instance.options().groups == 2);  // -1 becomes the channels, as in Keras's config
  CHECK(instance.get_config().at("groups") == 2);
  CHECK(torch::allclose(instance(x).flatten(), torch::tensor({-one, -hundred, one, hundred}), 1e-5, 1e-5));
  // One group: all four values (mean 11, variance 131.5) together.
  layers::GroupNormalization whole({.groups = 1, .center = false, .scale = false});
  whole.build({2, 2});
  CHECK(whole.weights().empty());
  const torch::Tensor expected = (torch::tensor({1.0F, 10.0F, 3.0F, 30.0F}) - 11.0F) / std::sqrt(131.5F + 1e-3F);
  CHECK(torch::allclose(whole(x).flatten(), expected, 1e-5, 1e-5));
  // The channel axis need not be last: axis 1 groups the 2 steps.
  layers::GroupNormalization steps({.groups = 2, .axis = 1});
  steps.build({2, 2});
  CHECK(steps.weights()[0].value.sizes().vec() == std::vector<int64_t>{2});
  const torch::Tensor transposed = x.transpose(1, 2).contiguous();
  CHECK(torch::allclose(steps(transposed), instance(x).transpose(1, 2), 1e-5, 1e-5));
}

TEST_CASE("GroupNormalization refuses groups that do not divide the channels, as Keras does") {
  CHECK_THROWS_WITH_AS(
      layers::GroupNormalization({.groups = 0}),
      "GroupNormalization: expected a positive number of groups (or -1 for instance normalization), received groups=0",
      tkeras::Error);
  layers::GroupNormalization three({.groups = 3});
  CHECK_THROWS_WITH_AS(three.build({5, 4}),
                       fmt::format("GroupNormalization \"{}\": expected groups dividing the 4 channels of axis -1 of "
                                   "input (None, 5, 4), received groups=3",
                                   three.name())
                           .c_str(),
                       tkeras::Error);
  layers::GroupNormalization many;  // 32 groups by default
  CHECK_THROWS_WITH_AS(many.build({5, 4}), doctest::Contains("expected at most 4 groups"), tkeras::Error);
  layers::GroupNormalization batch({.groups = 1, .axis = 0});
  CHECK_THROWS_WITH_AS(batch.build({5, 4}), doctest::Contains("expected an axis in [1, 3) or [-2, -1]"), tkeras::Error);
}

TEST_CASE("GroupNormalization's config round-trips with Keras's keys") {
  const layers::GroupNormalization norm({.groups = 4, .axis = 2, .epsilon = 1e-5, .scale = false});
  const tkeras::Config config = norm.get_config();
  CHECK(config.at("groups") == 4);
  CHECK(config.at("axis") == 2);
  CHECK(config.at("epsilon") == 1e-5);
  CHECK(config.at("center") == true);
  CHECK(config.at("scale") == false);
  CHECK(layers::GroupNormalization::from_config(config)->get_config() == config);
  CHECK(layers::GroupNormalization::from_config(tkeras::Config::object())->options().groups == 32);
  CHECK_THROWS_WITH_AS(layers::GroupNormalization::from_config({{"axis", {1, 2}}}),
                       "GroupNormalization: expected axis as an integer, received [1,2]", tkeras::Error);
}
