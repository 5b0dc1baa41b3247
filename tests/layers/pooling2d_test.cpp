// Tests for the pooling layers.
#include "tkeras/layers/pooling2d.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("MaxPooling2D halves height and width by default, flooring odd sizes") {
  layers::MaxPooling2D pool;
  CHECK(pool.build({11, 11, 64}) == tkeras::Shape{5, 5, 64});
  const torch::Tensor x = torch::arange(16, torch::kFloat32).reshape({1, 4, 4, 1});
  CHECK(torch::equal(layers::MaxPooling2D()(x).squeeze(), torch::tensor({{5.0f, 7.0f}, {13.0f, 15.0f}})));
}

TEST_CASE("MaxPooling2D with same padding keeps border windows and never picks the padding") {
  layers::MaxPooling2D pool(2, {.padding = "same"});
  CHECK(pool.build({3, 3, 1}) == tkeras::Shape{2, 2, 1});
  const torch::Tensor x = -torch::arange(1, 10, torch::kFloat32).reshape({1, 3, 3, 1});
  CHECK(torch::equal(pool(x).squeeze(), torch::tensor({{-1.0f, -3.0f}, {-7.0f, -9.0f}})));
}

TEST_CASE("pooling strides default to the pool size and can be set") {
  layers::MaxPooling2D pool(3, {.strides = 2});
  CHECK(pool.build({7, 7, 2}) == tkeras::Shape{3, 3, 2});
  layers::AveragePooling2D average(2);
  CHECK(average.build({7, 7, 3}) == tkeras::Shape{3, 3, 3});
}

TEST_CASE("AveragePooling2D averages windows, and with same padding only the pixels inside the image") {
  const torch::Tensor x = torch::arange(16, torch::kFloat32).reshape({1, 4, 4, 1});
  layers::AveragePooling2D pool;
  pool.build({4, 4, 1});
  CHECK(torch::equal(pool(x).squeeze(), torch::tensor({{2.5f, 4.5f}, {10.5f, 12.5f}})));
  layers::AveragePooling2D same(2, {.padding = "same"});
  CHECK(same.build({3, 3, 1}) == tkeras::Shape{2, 2, 1});
  CHECK(torch::allclose(same(torch::ones({1, 3, 3, 1})), torch::ones({1, 2, 2, 1})));
}

TEST_CASE("GlobalAveragePooling2D averages each channel over the image") {
  layers::GlobalAveragePooling2D pool;
  CHECK(pool.build({3, 3, 16}) == tkeras::Shape{16});
  const torch::Tensor x = torch::randn({2, 3, 3, 16});
  CHECK(torch::allclose(pool(x), x.mean({1, 2})));
  CHECK(pool.name().starts_with("global_average_pooling2d"));
}

TEST_CASE("GlobalMaxPooling2D takes the largest value of each channel over the image") {
  layers::GlobalMaxPooling2D pool;
  CHECK(pool.name().starts_with("global_max_pooling2d"));
  CHECK(pool.build({2, 2, 2}) == tkeras::Shape{2});
  // Channel 0 holds 1, 7, -3, 2 and channel 1 holds -1, -7, -2, -5.
  const torch::Tensor x = torch::tensor({1.0F, -1.0F, 7.0F, -7.0F, -3.0F, -2.0F, 2.0F, -5.0F}).reshape({1, 2, 2, 2});
  CHECK(torch::equal(pool(x), torch::tensor({{7.0F, -1.0F}})));
  CHECK_FALSE(pool.supports_masking());
}

TEST_CASE("global 2-D pooling with keepdims keeps height and width of length 1, as Keras's (None, 1, 1, C)") {
  const torch::Tensor x = torch::tensor({1.0F, -1.0F, 7.0F, -7.0F, -3.0F, -2.0F, 2.0F, -5.0F}).reshape({1, 2, 2, 2});
  layers::GlobalMaxPooling2D max({.keepdims = true});
  CHECK(max.build({2, 2, 2}) == tkeras::Shape{1, 1, 2});
  CHECK(torch::equal(max(x), torch::tensor({7.0F, -1.0F}).reshape({1, 1, 1, 2})));
  layers::GlobalAveragePooling2D average({.keepdims = true});
  CHECK(average.build({2, 2, 2}) == tkeras::Shape{1, 1, 2});
  CHECK(torch::equal(average(x), torch::tensor({1.75F, -3.75F}).reshape({1, 1, 1, 2})));
}

TEST_CASE("global 2-D pooling reads and writes Keras's keepdims and refuses channels_first") {
  const tkeras::Config config = layers::GlobalAveragePooling2D({.keepdims = true}).get_config();
  CHECK(config.at("keepdims") == true);
  CHECK(layers::GlobalAveragePooling2D::from_config(config)->keepdims());
  CHECK_FALSE(layers::GlobalMaxPooling2D::from_config(tkeras::Config::object())->keepdims());
  CHECK(layers::GlobalMaxPooling2D::from_config({{"keepdims", true}, {"data_format", "channels_last"}})->keepdims());
  CHECK_THROWS_WITH_AS(layers::GlobalMaxPooling2D::from_config({{"data_format", "channels_first"}}),
                       doctest::Contains("GlobalMaxPooling2D"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::GlobalMaxPooling2D().build({4, 3}), doctest::Contains("expected input of rank 4"),
                       tkeras::Error);
}

TEST_CASE("a pool larger than its input is refused, naming the layer and the shapes") {
  layers::MaxPooling2D pool(4);
  CHECK_THROWS_WITH_AS(
      pool.build({3, 3, 2}),
      fmt::format("MaxPooling2D \"{}\": pool 4x4 is larger than its input 3x3 (input shape (None, 3, 3, 2))",
                  pool.name())
          .c_str(),
      tkeras::Error);
}
