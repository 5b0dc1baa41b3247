// Permute: Keras's 1-based dims, the permuted values and shape, its config, its errors.
#include "tkeras/layers/permute.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Permute reorders the axes after the batch, counted from 1") {
  // Keras's docstring: Permute((2, 1)) on (None, 10, 64) gives (None, 64, 10).
  CHECK(layers::Permute({2, 1}).build({10, 64}) == tkeras::Shape{64, 10});
  layers::Permute permute({3, 1, 2});
  CHECK(permute.build({2, 3, 4}) == tkeras::Shape{4, 2, 3});
  const torch::Tensor x = torch::arange(2 * 2 * 3 * 4, torch::kFloat32).reshape({2, 2, 3, 4});
  const torch::Tensor y = permute(x);
  REQUIRE(y.sizes() == torch::IntArrayRef{2, 4, 2, 3});
  // y[n][k][i][j] == x[n][i][j][k]
  CHECK(y[1][3][0][2].item<float>() == x[1][0][2][3].item<float>());
  CHECK(y[0][1][1][0].item<float>() == x[0][1][0][1].item<float>());
}

TEST_CASE("Permute's config round-trips, as Keras's get_config writes it") {
  layers::Permute permute({2, 3, 1});
  const tkeras::Config config = permute.get_config();
  CHECK(config["dims"] == tkeras::Config({2, 3, 1}));
  CHECK(layers::Permute::from_config(config)->dims() == std::vector<int64_t>{2, 3, 1});
}

TEST_CASE("Permute refuses dims that are not a permutation of 1..n and inputs of another rank") {
  CHECK_THROWS_WITH_AS(layers::Permute({0, 1}),
                       "Permute: expected dims holding each of 1 to 2 once (the axes after the batch, counted from "
                       "1), received [0, 1]",
                       tkeras::Error);
  CHECK_THROWS_AS(layers::Permute({1, 1}), tkeras::Error);
  CHECK_THROWS_AS(layers::Permute({}), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Permute::from_config({{"dims", "21"}}),
                       "Permute: expected \"dims\" as a list of integers, received \"21\"", tkeras::Error);
  CHECK_THROWS_AS(layers::Permute::from_config(tkeras::Config::object()), tkeras::Error);
  layers::Permute permute({2, 1});
  permute.set_name("swap");
  CHECK_THROWS_WITH_AS(permute.build({2, 3, 4}),
                       "Permute \"swap\": expected input of rank 3 (dims [2, 1] and the batch), received "
                       "(None, 2, 3, 4)",
                       tkeras::Error);
}
