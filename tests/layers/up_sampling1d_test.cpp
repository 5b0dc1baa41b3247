// UpSampling1D: each step repeated, its config, its errors.
#include "tkeras/layers/up_sampling1d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("UpSampling1D repeats each step, as Keras's docstring") {
  layers::UpSampling1D up;
  CHECK(up.size() == 2);
  CHECK(up.build({2, 3}) == tkeras::Shape{4, 3});
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 2, 3});
  const torch::Tensor expected =
      torch::tensor({0.0F, 1.0F, 2.0F, 0.0F, 1.0F, 2.0F, 3.0F, 4.0F,  5.0F,  3.0F, 4.0F,  5.0F,
                     6.0F, 7.0F, 8.0F, 6.0F, 7.0F, 8.0F, 9.0F, 10.0F, 11.0F, 9.0F, 10.0F, 11.0F})
          .reshape({2, 4, 3});
  CHECK(torch::equal(up(x), expected));
  layers::UpSampling1D three(3);
  CHECK(three.build({1, 1}) == tkeras::Shape{3, 1});
  CHECK(torch::equal(three(torch::ones({1, 1, 1})), torch::ones({1, 3, 1})));
}

TEST_CASE("UpSampling1D's config round-trips, as Keras's get_config writes it") {
  layers::UpSampling1D up(4);
  const tkeras::Config config = up.get_config();
  CHECK(config["size"] == 4);
  CHECK(layers::UpSampling1D::from_config(config)->get_config() == config);
  CHECK(layers::UpSampling1D::from_config(tkeras::Config::object())->size() == 2);
}

TEST_CASE("UpSampling1D refuses a size that is not a positive integer and inputs that are not sequences") {
  CHECK_THROWS_WITH_AS(layers::UpSampling1D(0), "UpSampling1D: expected a positive size, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling1D::from_config({{"size", {2}}}),
                       "UpSampling1D: expected \"size\" as an integer, received [2]", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::UpSampling1D().build({3, 4, 1}), doctest::Contains("expected input of rank 3"),
                       tkeras::Error);
}
