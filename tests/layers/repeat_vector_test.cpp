// RepeatVector: a vector repeated into steps, its config, its errors.
#include "tkeras/layers/repeat_vector.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("RepeatVector repeats each sample's vector n times along a new steps axis") {
  // Keras's docstring: RepeatVector(3) on (None, 32) gives (None, 3, 32).
  CHECK(layers::RepeatVector(3).build({32}) == tkeras::Shape{3, 32});
  layers::RepeatVector repeat(2);
  repeat.build({2});
  const torch::Tensor x = torch::tensor({{1.0F, 2.0F}, {3.0F, 4.0F}});
  CHECK(torch::equal(repeat(x), torch::tensor({1.0F, 2.0F, 1.0F, 2.0F, 3.0F, 4.0F, 3.0F, 4.0F}).reshape({2, 2, 2})));
}

TEST_CASE("RepeatVector's config round-trips, as Keras's get_config writes it") {
  layers::RepeatVector repeat(5);
  const tkeras::Config config = repeat.get_config();
  CHECK(config["n"] == 5);
  CHECK(layers::RepeatVector::from_config(config)->n() == 5);
  CHECK(layers::RepeatVector::from_config(config)->get_config() == config);
}

TEST_CASE("RepeatVector refuses an n that is not a positive integer and inputs that are not vectors") {
  CHECK_THROWS_WITH_AS(layers::RepeatVector(0), "RepeatVector: expected a positive n, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::RepeatVector::from_config({{"n", 2.5}}),
                       "RepeatVector: expected \"n\" as an integer, received 2.5", tkeras::Error);
  CHECK_THROWS_AS(layers::RepeatVector::from_config(tkeras::Config::object()), tkeras::Error);
  layers::RepeatVector repeat(2);
  repeat.set_name("repeat");
  CHECK_THROWS_WITH_AS(repeat.build({3, 4}),
                       "RepeatVector \"repeat\": expected input of rank 2 (batch, features), received (None, 3, 4)",
                       tkeras::Error);
}
