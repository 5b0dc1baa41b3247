// Tests for UnitNormalization: Keras's L2 scaling over one or several axes, zero vectors, errors
// and config.
#include "tkeras/layers/unit_normalization.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("UnitNormalization scales each sample to unit length and leaves a zero vector at zero") {
  layers::UnitNormalization norm;
  CHECK(norm.name().starts_with("unit_normalization"));
  CHECK(norm.build({2}) == tkeras::Shape{2});
  CHECK(norm.weights().empty());
  CHECK(norm.supports_masking());
  const torch::Tensor x = torch::tensor({{3.0F, 4.0F}, {0.0F, 0.0F}, {-5.0F, 12.0F}});
  CHECK(torch::allclose(norm(x), torch::tensor({{0.6F, 0.8F}, {0.0F, 0.0F}, {-5.0F / 13, 12.0F / 13}})));
}

TEST_CASE("UnitNormalization over several axes takes the norm of them together") {
  layers::UnitNormalization norm({.axis = {1, 2}});
  norm.build({2, 2, 1});
  const torch::Tensor x = torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}).reshape({1, 2, 2, 1});
  CHECK(torch::allclose(norm(x).flatten(), torch::tensor({1.0F, 2.0F, 3.0F, 4.0F}) / std::sqrt(30.0F)));
  // A middle axis: the columns of [[3, 1], [4, 0]] by their own lengths 5 and 1.
  layers::UnitNormalization steps({.axis = {-2}});
  steps.build({2, 2});
  CHECK(torch::allclose(steps(torch::tensor({{{3.0F, 1.0F}, {4.0F, 0.0F}}})),
                        torch::tensor({{{0.6F, 1.0F}, {0.8F, 0.0F}}})));
}

TEST_CASE("UnitNormalization refuses axes outside its input and writes its axis as Keras does") {
  layers::UnitNormalization outside({.axis = {-4}});
  CHECK_THROWS_WITH_AS(
      outside.build({3, 2}),
      fmt::format("UnitNormalization \"{}\": expected axes in [-3, 3) for input (None, 3, 2), received axis=[-4]",
                  outside.name())
          .c_str(),
      tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UnitNormalization({.axis = {}}),
                       "UnitNormalization: expected at least one axis, received axis=[]", tkeras::Error);
  CHECK(layers::UnitNormalization().get_config().at("axis") == -1);
  const tkeras::Config two = layers::UnitNormalization({.axis = {1, 2}}).get_config();
  CHECK(two.at("axis") == tkeras::Config::array({1, 2}));
  CHECK(layers::UnitNormalization::from_config(two)->options().axis == std::vector<int64_t>{1, 2});
  CHECK(layers::UnitNormalization::from_config({{"axis", 2}})->options().axis == std::vector<int64_t>{2});
  CHECK_THROWS_WITH_AS(layers::UnitNormalization::from_config({{"axis", 1.5}}),
                       "UnitNormalization: expected axis as an integer or a list of integers, received 1.5",
                       tkeras::Error);
}
