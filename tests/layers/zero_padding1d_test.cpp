// ZeroPadding1D: Keras's padding forms, the padded values and shape, its config, its errors.
#include "tkeras/layers/zero_padding1d.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

TEST_CASE("ZeroPadding1D puts steps of zeros before and after each sequence, as Keras's docstring") {
  layers::ZeroPadding1D pad(2);
  CHECK(pad.build({2, 3}) == tkeras::Shape{6, 3});
  const torch::Tensor x = torch::arange(12, torch::kFloat32).reshape({2, 2, 3});
  const torch::Tensor zeros = torch::zeros({3});
  const torch::Tensor expected = torch::stack({torch::stack({zeros, zeros, x[0][0], x[0][1], zeros, zeros}),
                                               torch::stack({zeros, zeros, x[1][0], x[1][1], zeros, zeros})});
  CHECK(torch::equal(pad(x), expected));
}

TEST_CASE("ZeroPadding1D pads each end apart, 1 step at each by default") {
  const auto ends = [](const layers::Padding1D& p) { return std::array<int64_t, 2>{p.left, p.right}; };
  CHECK(ends(layers::ZeroPadding1D().padding()) == std::array<int64_t, 2>{1, 1});
  CHECK(ends(layers::ZeroPadding1D({0, 3}).padding()) == std::array<int64_t, 2>{0, 3});
  layers::ZeroPadding1D pad({0, 2});
  CHECK(pad.build({1, 1}) == tkeras::Shape{3, 1});
  CHECK(torch::equal(pad(torch::full({1, 1, 1}, 5.0F)), torch::tensor({5.0F, 0.0F, 0.0F}).reshape({1, 3, 1})));
  SUBCASE("and from a config, as Keras writes it or a user does") {
    CHECK(ends(layers::ZeroPadding1D::from_config({{"padding", {2, 1}}})->padding()) == std::array<int64_t, 2>{2, 1});
    CHECK(ends(layers::ZeroPadding1D::from_config({{"padding", 4}})->padding()) == std::array<int64_t, 2>{4, 4});
    CHECK(ends(layers::ZeroPadding1D::from_config(tkeras::Config::object())->padding()) ==
          std::array<int64_t, 2>{1, 1});
  }
}

TEST_CASE("ZeroPadding1D's config round-trips, as Keras's get_config writes it") {
  layers::ZeroPadding1D pad({3, 1});
  const tkeras::Config config = pad.get_config();
  CHECK(config["padding"] == tkeras::Config({3, 1}));
  CHECK(config["data_format"] == "channels_last");
  const auto again = layers::ZeroPadding1D::from_config(config);
  CHECK(again->get_config() == config);
  CHECK(again->name() == pad.name());
}

TEST_CASE("ZeroPadding1D refuses negative padding, channels-first sequences and inputs that are not sequences") {
  CHECK_THROWS_WITH_AS(layers::ZeroPadding1D({1, -1}),
                       "ZeroPadding1D: expected padding of no negative size, received (1, -1)", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::ZeroPadding1D::from_config({{"padding", {1, 2, 3}}}),
                       "ZeroPadding1D: expected \"padding\" as a number or [left, right], received [1,2,3]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::ZeroPadding1D::from_config({{"data_format", "channels_first"}}),
                       "ZeroPadding1D: data_format \"channels_first\" is not supported by tkeras; expected "
                       "\"channels_last\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::Sequential({layers::Input({7}), layers::ZeroPadding1D()}),
                       doctest::Contains("expected input of rank 3 (batch, steps, channels), received (None, 7)"),
                       tkeras::Error);
}
