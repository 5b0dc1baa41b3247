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
