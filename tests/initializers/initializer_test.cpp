// Tests for tkeras/initializers/initializer.h: calling, naming, saving and reading initializers.
#include "tkeras/initializers/initializer.h"

#include <algorithm>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/initializers/constant.h"
#include "tkeras/initializers/random.h"

namespace initializers = tkeras::initializers;

TEST_CASE("get takes Keras's names, aliases and class names") {
  CHECK(initializers::get("glorot_uniform")->class_name() == "GlorotUniform");
  CHECK(initializers::get("GlorotUniform")->class_name() == "GlorotUniform");
  CHECK(initializers::get("uniform")->class_name() == "RandomUniform");
  CHECK(initializers::get("normal")->class_name() == "RandomNormal");
  CHECK(initializers::get("zero")->class_name() == "Zeros");
  CHECK(initializers::get("one")->class_name() == "Ones");
  CHECK(initializers::get("IdentityInitializer")->class_name() == "Identity");
  CHECK(initializers::get("OrthogonalInitializer")->class_name() == "Orthogonal");
  const std::vector<std::string> names = initializers::names();
  for (const char* name : {"he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "glorot_normal",
                           "truncated_normal", "variance_scaling", "constant", "identity", "orthogonal"}) {
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
}

TEST_CASE("an object given is used as it is") {
  const auto held = std::make_shared<initializers::Constant>(3.0);
  CHECK(initializers::get(held).get() == held.get());
  CHECK(initializers::get(initializers::Constant(2.0))->get_config() == tkeras::Config{{"value", 2.0}});
}

TEST_CASE("an unknown initializer or none is a clear error") {
  CHECK_THROWS_WITH_AS(initializers::get("glorot"), doctest::Contains("unknown initializer \"glorot\""), tkeras::Error);
  CHECK_THROWS_AS(initializers::get(nullptr), tkeras::Error);
  CHECK_THROWS_WITH_AS(initializers::deserialize({{"class_name", "HeNormal"}, {"config", {{"sed", 1}}}}),
                       doctest::Contains("sed"), tkeras::Error);
  CHECK_THROWS_WITH_AS(initializers::deserialize({{"class_name", "HeNormal"}, {"config", {{"seed", "a"}}}}),
                       doctest::Contains("seed"), tkeras::Error);
  CHECK_THROWS_AS(initializers::deserialize(3), tkeras::Error);
}

TEST_CASE("serialize writes Keras's form and deserialize reads it back") {
  const initializers::VarianceScaling scaling({.scale = 2.0, .mode = "fan_out", .distribution = "Normal", .seed = 5});
  const tkeras::Config saved = initializers::serialize(scaling);
  CHECK(saved["module"] == "keras.initializers");
  CHECK(saved["class_name"] == "VarianceScaling");
  CHECK(saved["registered_name"].is_null());
  CHECK(saved["config"]["distribution"] == "truncated_normal");
  const auto read = initializers::deserialize(saved);
  CHECK(read->get_config() == scaling.get_config());
  CHECK(torch::equal((*read)({3, 4}), scaling({3, 4})));
  const tkeras::Config glorot = initializers::serialize(initializers::GlorotUniform({.seed = 1}));
  CHECK(glorot["config"] == tkeras::Config{{"seed", 1}, {"input_axes", nullptr}, {"output_axes", nullptr}});
}

TEST_CASE("a dry build on the meta device draws nothing") {
  const torch::Tensor values = initializers::Orthogonal()({2, 3}, torch::TensorOptions().device(torch::kMeta));
  CHECK(values.is_meta());
  CHECK(values.sizes() == torch::IntArrayRef({2, 3}));
  CHECK_THROWS_AS(initializers::Zeros()({-1}), tkeras::Error);
}
