// Tests for Normalization. (Against Keras's adapted layer: tests/keras/test_summary.py's models.)
#include "tkeras/layers/normalization.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::Normalization;

TEST_CASE("adapt gives each feature mean 0 and variance 1, from tensors or from a dataset's batches") {
  const torch::Tensor x =
      torch::randn({100, 3}) * torch::tensor({1.0F, 10.0F, 0.1F}) + torch::tensor({5.0F, -2.0F, 0.0F});
  Normalization from_tensor;
  from_tensor.adapt(x);
  const torch::Tensor out = from_tensor(x);
  CHECK(torch::allclose(out.mean(0), torch::zeros({3}), 1e-5, 1e-5));
  CHECK(torch::allclose(out.var(0, /*unbiased=*/false), torch::ones({3}), 1e-4, 1e-4));
  // Batches of 32, 32, 32 and 4: Keras's streaming combination gives the same statistics.
  Normalization from_dataset;
  from_dataset.adapt(tkeras::data::Dataset::from_tensor_slices(x, torch::zeros({100})).batch(32));
  CHECK(torch::allclose(from_dataset(x), out, 1e-4, 1e-4));
  const auto weights = from_dataset.named_weights();
  CHECK(weights.size() == 3);  // mean, variance, count, as Keras's
}

TEST_CASE("axis keeps statistics per channel of images, and an empty axis pools everything") {
  const torch::Tensor images = torch::rand({10, 4, 4, 3}) * torch::tensor({1.0F, 2.0F, 3.0F});
  Normalization per_channel;
  per_channel.adapt(images);
  CHECK(torch::allclose(per_channel(images).mean({0, 1, 2}), torch::zeros({3}), 1e-5, 1e-5));
  Normalization global({.axis = {}});
  global.adapt(images);
  CHECK(std::abs(global(images).mean().item<float>()) < 1e-5F);
  CHECK_FALSE(torch::allclose(global(images).mean({0, 1, 2}), torch::zeros({3}), 1e-3, 1e-3));
}

TEST_CASE("given mean and variance normalize, invert undoes it, and configs round-trip") {
  Normalization given({.mean = std::vector<double>{1.0, 2.0}, .variance = std::vector<double>{4.0, 9.0}});
  given.build({2});
  const torch::Tensor x = torch::tensor({{3.0F, 8.0F}});
  CHECK(torch::allclose(given(x), torch::tensor({{1.0F, 2.0F}})));
  Normalization inverse(
      {.mean = std::vector<double>{1.0, 2.0}, .variance = std::vector<double>{4.0, 9.0}, .invert = true});
  inverse.build({2});
  CHECK(torch::allclose(inverse(given(x)), x));
  CHECK(Normalization::from_config(given.get_config())->get_config() == given.get_config());
  // Keras's own config for an adapted layer.
  const tkeras::Config keras = {{"name", "normalization"}, {"trainable", true}, {"axis", {-1}},
                                {"invert", false},         {"mean", nullptr},   {"variance", nullptr}};
  CHECK(Normalization::from_config(keras)->get_config()["axis"] == tkeras::Config({-1}));
}

TEST_CASE("Normalization refuses half-given statistics, the batch axis and data of another shape") {
  CHECK_THROWS_WITH_AS(Normalization({.mean = std::vector<double>{1.0}}),
                       "Normalization: expected both mean and variance, or neither; received only one", tkeras::Error);
  Normalization batch_axis({.axis = {0}});
  CHECK_THROWS_WITH_AS(batch_axis.build({3}), doctest::Contains("cannot keep the batch axis"), tkeras::Error);
  Normalization norm;
  norm.adapt(torch::rand({5, 3}));
  CHECK_THROWS_WITH_AS(norm.adapt(torch::rand({5, 4})),
                       "Normalization: adapt() expected data of shape (None, 3), received [5, 4]", tkeras::Error);
  // A dataset of several inputs has no one x to adapt on.
  const auto several = tkeras::data::Dataset::from_tensor_slices({{"a", torch::rand({4, 3})}, {"b", torch::rand({4})}});
  CHECK_THROWS_WITH_AS(Normalization().adapt(several.batch(2)),
                       doctest::Contains("received an element without x (it carries several inputs)"), tkeras::Error);
}
