// Tests for tkeras/initializers/random.h: the random initializers, their seeds and fans.
#include "tkeras/initializers/random.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"

namespace initializers = tkeras::initializers;

TEST_CASE("a seeded initializer draws the same values at each call, and another seed others") {
  const initializers::HeNormal seeded({.seed = 42});
  CHECK(torch::equal(seeded({8, 4}), seeded({8, 4})));
  CHECK_FALSE(torch::equal(seeded({8, 4}), initializers::HeNormal({.seed = 43})({8, 4})));
}

TEST_CASE("a seed draws as a LibTorch CPU generator seeded with its low 32 bits, as Keras's torch backend") {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>();
  generator.set_current_seed(7);
  const torch::Tensor expected = at::rand({3, 2}, generator) * 0.1 + -0.05;
  CHECK(torch::equal(initializers::RandomUniform({.seed = 7})({3, 2}), expected));
  CHECK(torch::equal(initializers::RandomUniform({.seed = 7 + (int64_t{1} << 32)})({3, 2}), expected));
}

TEST_CASE("unseeded initializers follow set_random_seed") {
  tkeras::utils::set_random_seed(3);
  const torch::Tensor first = initializers::GlorotNormal()({5, 5});
  tkeras::utils::set_random_seed(3);
  CHECK(torch::equal(initializers::GlorotNormal()({5, 5}), first));
}

TEST_CASE("the variance scalings use Keras's fans and bounds") {
  // A [3, 3, 4, 8] kernel: fan_in 36, fan_out 72.
  const torch::Tensor he = initializers::HeUniform({.seed = 1})({3, 3, 4, 8});
  CHECK(he.abs().max().item<double>() <= std::sqrt(6.0 / 36.0));
  const torch::Tensor glorot = initializers::GlorotUniform({.seed = 1})({3, 3, 4, 8});
  CHECK(glorot.abs().max().item<double>() <= std::sqrt(6.0 / (36.0 + 72.0)));
  CHECK(glorot.abs().max().item<double>() > 0.9 * std::sqrt(6.0 / (36.0 + 72.0)));
  // Truncated at two standard deviations of a standard normal scaled to the variance.
  const double stddev = std::sqrt(1.0 / 400.0) / 0.8796256610342398;
  const torch::Tensor lecun = initializers::LecunNormal({.seed = 2})({400, 300});
  CHECK(lecun.abs().max().item<double>() < 2 * stddev);
  CHECK(lecun.std().item<double>() == doctest::Approx(std::sqrt(1.0 / 400.0)).epsilon(0.03));
  const torch::Tensor untruncated =
      initializers::VarianceScaling({.scale = 4.0, .distribution = "untruncated_normal", .seed = 3})({1000, 10});
  CHECK(untruncated.std().item<double>() == doctest::Approx(std::sqrt(4.0 / 1000.0)).epsilon(0.03));
  // Fans from given axes.
  const torch::Tensor axes = initializers::VarianceScaling(
      {.mode = "fan_out", .distribution = "uniform", .seed = 4, .input_axes = {{0}}, .output_axes = {{1, 2}}})(
      {6, 5, 20});
  CHECK(axes.abs().max().item<double>() <= std::sqrt(3.0 / 100.0));
}

TEST_CASE("RandomNormal, TruncatedNormal and RandomUniform take their bounds") {
  const torch::Tensor normal = initializers::RandomNormal({.mean = 1.0, .stddev = 0.5, .seed = 1})({2000});
  CHECK(normal.mean().item<double>() == doctest::Approx(1.0).epsilon(0.05));
  const torch::Tensor truncated = initializers::TruncatedNormal({.mean = -1.0, .stddev = 0.1, .seed = 1})({2000});
  CHECK((truncated + 1.0).abs().max().item<double>() < 0.2);
  const torch::Tensor uniform = initializers::RandomUniform({.minval = 2.0, .maxval = 3.0})({100});
  CHECK(uniform.min().item<double>() >= 2.0);
  CHECK(uniform.max().item<double>() < 3.0);
}

TEST_CASE("Orthogonal draws orthonormal rows or columns scaled by gain") {
  const torch::Tensor tall = initializers::Orthogonal({.gain = 2.0, .seed = 5})({6, 3});
  CHECK(torch::allclose(tall.t().mm(tall), 4.0 * torch::eye(3), 1e-5, 1e-5));
  const torch::Tensor wide = initializers::Orthogonal({.seed = 5})({3, 6});
  CHECK(torch::allclose(wide.mm(wide.t()), torch::eye(3), 1e-5, 1e-5));
  CHECK(initializers::Orthogonal()({2, 2, 4}).sizes() == torch::IntArrayRef({2, 2, 4}));
  CHECK_THROWS_WITH_AS(initializers::Orthogonal()({4}), doctest::Contains("at least 2 axes"), tkeras::Error);
}

TEST_CASE("bad VarianceScaling options are clear errors") {
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.scale = 0.0}), doctest::Contains("positive scale"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.mode = "fan"}), doctest::Contains("fan_in, fan_out"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.distribution = "gamma"}), doctest::Contains("gamma"),
                       tkeras::Error);
  CHECK_THROWS_AS(initializers::VarianceScaling({.input_axes = {{0}}}), tkeras::Error);
}
