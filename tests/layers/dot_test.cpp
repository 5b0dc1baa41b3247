// Dot: Keras's batch dot product of two inputs along one axis of each, normalized or not, its shape
// rule, config and errors.
#include "tkeras/layers/dot.h"

#include <cmath>
#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace layers = tkeras::layers;
using tkeras::Shape;

namespace {

// The layer called on symbolic inputs of `a` and `b` (which builds it), and the output's shape.
Shape symbolic_shape(layers::Dot& dot, const Shape& a, const Shape& b) {
  return dot({tkeras::Input(a), tkeras::Input(b)}).shape();
}

}  // namespace

TEST_CASE("Dot of two vectors per sample is their dot product, of shape (None, 1), as Keras's") {
  const torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, 0.0f, 1.0f, 0.0f}).reshape({2, 3});
  const torch::Tensor y = torch::tensor({4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f}).reshape({2, 3});
  for (const layers::DotAxes& axes : {layers::DotAxes(1), layers::DotAxes(-1), layers::DotAxes(1, -1)}) {
    auto dot = std::make_shared<layers::Dot>(axes);
    CHECK(symbolic_shape(*dot, {3}, {3}) == Shape{1});
    const torch::Tensor out = dot->call_list({x, y}, false);
    REQUIRE(out.sizes() == torch::IntArrayRef{2, 1});
    CHECK(out[0][0].item<float>() == 32.0f);  // 1*4 + 2*5 + 3*6
    CHECK(out[1][0].item<float>() == 8.0f);
  }
}

TEST_CASE("Dot keeps the first input's other axes, then the second's, as Keras's example (2, 3, 5) . (2, 10, 3)") {
  auto generator = at::detail::createCPUGenerator(31);
  const torch::Tensor x = torch::randn({2, 3, 5}, generator);
  const torch::Tensor y = torch::randn({2, 10, 3}, generator);
  auto dot = std::make_shared<layers::Dot>(layers::DotAxes(1, 2));
  CHECK(symbolic_shape(*dot, {3, 5}, {10, 3}) == Shape{5, 10});
  const torch::Tensor out = dot->call_list({x, y}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{2, 5, 10});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 5; ++i) {
      for (int64_t j = 0; j < 10; ++j) {
        float expected = 0;
        for (int64_t k = 0; k < 3; ++k) expected += x[b][k][i].item<float>() * y[b][j][k].item<float>();
        CHECK(out[b][i][j].item<float>() == doctest::Approx(expected).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("Dot takes inputs of rank 2 and 3, and negative axes counted from the last") {
  auto generator = at::detail::createCPUGenerator(32);
  const torch::Tensor v = torch::randn({2, 4}, generator);     // (None, 4)
  const torch::Tensor m = torch::randn({2, 3, 4}, generator);  // (None, 3, 4)
  const torch::Tensor n = torch::randn({2, 5, 4}, generator);  // (None, 5, 4)
  SUBCASE("a vector with a sequence: (None, 3)") {
    auto dot = std::make_shared<layers::Dot>(layers::DotAxes(1, 2));
    CHECK(symbolic_shape(*dot, {4}, {3, 4}) == Shape{3});
    const torch::Tensor out = dot->call_list({v, m}, false);
    REQUIRE(out.sizes() == torch::IntArrayRef{2, 3});
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t j = 0; j < 3; ++j) {
        float expected = 0;
        for (int64_t k = 0; k < 4; ++k) expected += v[b][k].item<float>() * m[b][j][k].item<float>();
        CHECK(out[b][j].item<float>() == doctest::Approx(expected).epsilon(1e-5));
      }
    }
  }
  SUBCASE("a sequence with a vector: (None, 3)") {
    auto dot = std::make_shared<layers::Dot>(layers::DotAxes(-1, -1));
    CHECK(symbolic_shape(*dot, {3, 4}, {4}) == Shape{3});
    const torch::Tensor out = dot->call_list({m, v}, false);
    REQUIRE(out.sizes() == torch::IntArrayRef{2, 3});
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t i = 0; i < 3; ++i) {
        float expected = 0;
        for (int64_t k = 0; k < 4; ++k) expected += m[b][i][k].item<float>() * v[b][k].item<float>();
        CHECK(out[b][i].item<float>() == doctest::Approx(expected).epsilon(1e-5));
      }
    }
  }
  SUBCASE("two sequences along their last axes: (None, 3, 5), attention's scores") {
    auto dot = std::make_shared<layers::Dot>(-1);
    CHECK(symbolic_shape(*dot, {3, 4}, {5, 4}) == Shape{3, 5});
    const torch::Tensor out = dot->call_list({m, n}, false);
    REQUIRE(out.sizes() == torch::IntArrayRef{2, 3, 5});
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 5; ++j) {
          float expected = 0;
          for (int64_t k = 0; k < 4; ++k) expected += m[b][i][k].item<float>() * n[b][j][k].item<float>();
          CHECK(out[b][i][j].item<float>() == doctest::Approx(expected).epsilon(1e-5));
        }
      }
    }
  }
}

TEST_CASE("Dot with normalize gives the cosine of the samples, and 0 for a vector of zeros, as Keras's") {
  const torch::Tensor x = torch::tensor({3.0f, 4.0f, 0.0f, 0.0f, 1.0f, 1.0f}).reshape({3, 2});
  const torch::Tensor y = torch::tensor({4.0f, 3.0f, 1.0f, 2.0f, -2.0f, -2.0f}).reshape({3, 2});
  auto dot = std::make_shared<layers::Dot>(1, layers::DotOptions{.normalize = true});
  CHECK(symbolic_shape(*dot, {2}, {2}) == Shape{1});
  const torch::Tensor out = dot->call_list({x, y}, false);
  REQUIRE(out.sizes() == torch::IntArrayRef{3, 1});
  CHECK(out[0][0].item<float>() == doctest::Approx(24.0 / 25.0).epsilon(1e-6));
  CHECK(out[1][0].item<float>() == 0.0f);  // x / max(norm(x), 1e-7): zeros stay zeros, no NaN
  CHECK(out[2][0].item<float>() == doctest::Approx(-1.0).epsilon(1e-6));
  SUBCASE("along each input's own dot axis") {
    auto generator = at::detail::createCPUGenerator(33);
    const torch::Tensor a = torch::randn({2, 3, 4}, generator);
    const torch::Tensor b = torch::randn({2, 5, 3}, generator);
    auto cosine = std::make_shared<layers::Dot>(layers::DotAxes(1, 2), layers::DotOptions{.normalize = true});
    CHECK(symbolic_shape(*cosine, {3, 4}, {5, 3}) == Shape{4, 5});
    const torch::Tensor out3 = cosine->call_list({a, b}, false);
    REQUIRE(out3.sizes() == torch::IntArrayRef{2, 4, 5});
    for (int64_t s = 0; s < 2; ++s) {
      for (int64_t i = 0; i < 4; ++i) {
        for (int64_t j = 0; j < 5; ++j) {
          double product = 0;
          double a_squares = 0;
          double b_squares = 0;
          for (int64_t k = 0; k < 3; ++k) {
            product += a[s][k][i].item<double>() * b[s][j][k].item<double>();
            a_squares += a[s][k][i].item<double>() * a[s][k][i].item<double>();
            b_squares += b[s][j][k].item<double>() * b[s][j][k].item<double>();
          }
          CHECK(out3[s][i][j].item<float>() ==
                doctest::Approx(product / std::sqrt(a_squares * b_squares)).epsilon(1e-5));
        }
      }
    }
  }
}

TEST_CASE("Dot refuses unequal sizes on its axes, axes outside the samples, and other than two inputs") {
  const auto inputs = [](const Shape& a, const Shape& b) {
    return tkeras::KerasTensors{tkeras::Input(a), tkeras::Input(b)};
  };
  CHECK_THROWS_WITH_AS(layers::Dot(1, {.name = "similarity"})(inputs({4}, {5})),
                       "Dot \"similarity\": expected inputs of equal sizes on the dot axes, received 4 on axis 1 of "
                       "(None, 4) and 5 on axis 1 of (None, 5)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Dot({1, 3}, {.name = "similarity"})(inputs({4}, {3, 4})),
                       "Dot \"similarity\": expected axes that name a sample axis of each input (from 1 to rank - 1 "
                       "or from -(rank - 1) to -1, the batch axis counted in the rank), received axes (1, 3) for "
                       "inputs [(None, 4), (None, 3, 4)]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Dot(-3, {.name = "similarity"})(inputs({4}, {3, 4})),
                       doctest::Contains("received axes -3 for inputs [(None, 4), (None, 3, 4)]"), tkeras::Error);
  const tkeras::KerasTensor a = tkeras::Input({4});
  CHECK_THROWS_WITH_AS(
      layers::Dot(1, {.name = "similarity"})({a, a, a}),
      "Dot \"similarity\": expected a list of 2 tensors, received 3: [(None, 4), (None, 4), (None, 4)]", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Dot(0),
                       "Dot: expected axes of the samples (1, 2... or -1, -2...), received axes 0; "
                       "axis 0 is the batch axis",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Dot({1, 0}), doctest::Contains("received axes (1, 0); axis 0 is the batch axis"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Dot::from_config({{"axes", {1, 2, 3}}}),
                       "Dot: expected \"axes\" as an integer or [first, second], received [1,2,3]", tkeras::Error);
}

TEST_CASE("Dot's config round-trips, as Keras's get_config writes it: axes a number or a pair") {
  layers::Dot one(1, {.name = "similarity"});
  CHECK(one.get_config() ==
        tkeras::Config{{"name", "similarity"}, {"trainable", true}, {"axes", 1}, {"normalize", false}});
  layers::Dot pair({1, 2}, {.normalize = true, .name = "scores"});
  CHECK(pair.get_config() ==
        tkeras::Config{{"name", "scores"}, {"trainable", true}, {"axes", {1, 2}}, {"normalize", true}});
  for (const layers::Dot* dot : {&one, &pair}) {
    const tkeras::Config config = dot->get_config();
    CHECK(layers::Dot::from_config(config)->get_config() == config);
  }
  SUBCASE("and from Keras's") {
    const auto dot = layers::Dot::from_config({{"name", "dot_9"}, {"trainable", true}, {"axes", {1, 2}}});
    CHECK(dot->axes().first == 1);
    CHECK(dot->axes().second == 2);
    CHECK_FALSE(dot->normalize());
  }
}

TEST_CASE("Dot gives the cosine similarity of two inputs in a Functional model") {
  auto generator = at::detail::createCPUGenerator(34);
  const tkeras::KerasTensor a = tkeras::Input({3});
  const tkeras::KerasTensor b = tkeras::Input({3});
  const tkeras::KerasTensor similarity = layers::Dot(1, {.normalize = true})({a, b});
  CHECK(similarity.shape() == Shape{1});
  tkeras::Model model({a, b}, similarity);
  const torch::Tensor x = torch::randn({4, 3}, generator);
  const torch::Tensor y = torch::randn({4, 3}, generator);
  CHECK(torch::allclose(model({x, y}).front(), torch::cosine_similarity(x, y, 1).unsqueeze(1), 1e-5, 1e-6));
}
