// Tests for the 1-D pooling layers: windows, Keras's "same" averages, masks.
#include "tkeras/layers/pooling1d.h"

#include <cmath>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("MaxPooling1D and AveragePooling1D pool windows of steps per channel") {
  const torch::Tensor x = torch::arange(10, torch::kFloat32).reshape({1, 5, 2});
  layers::MaxPooling1D max_pool(2);
  CHECK(max_pool.build({5, 2}) == tkeras::Shape{2, 2});
  CHECK(torch::equal(max_pool(x), torch::tensor({2.0F, 3.0F, 6.0F, 7.0F}).reshape({1, 2, 2})));
  // "same": a last window over the fifth step alone, averaged over the steps inside only.
  layers::AveragePooling1D average(2, {.padding = "same"});
  CHECK(average.build({5, 2}) == tkeras::Shape{3, 2});
  CHECK(torch::equal(average(x), torch::tensor({1.0F, 2.0F, 5.0F, 6.0F, 8.0F, 9.0F}).reshape({1, 3, 2})));
  CHECK(layers::MaxPooling1D(3, {.strides = 1}).build({5, 2}) == tkeras::Shape{3, 2});
}

TEST_CASE("GlobalAveragePooling1D averages the unmasked steps only and ends the mask") {
  const torch::Tensor x = torch::tensor({1.0F, 2.0F, 3.0F, 4.0F, 5.0F, 6.0F}).reshape({2, 3, 1});
  layers::GlobalAveragePooling1D pool;
  CHECK(pool.build({3, 1}) == tkeras::Shape{1});
  CHECK(torch::equal(pool(x), torch::tensor({2.0F, 5.0F}).reshape({2, 1})));
  const torch::Tensor mask = torch::tensor({{false, true, true}, {false, false, false}});
  const torch::Tensor masked = pool.call_with_mask(x, mask, false);
  CHECK(masked[0].item<float>() == 2.5F);
  CHECK(std::isnan(masked[1].item<float>()));  // every step masked: 0 / 0, as in Keras
  CHECK(pool.supports_masking());
  CHECK_FALSE(pool.compute_mask(x, mask).defined());
  layers::GlobalAveragePooling1D keep({.keepdims = true});
  CHECK(keep.build({3, 1}) == tkeras::Shape{1, 1});
  // With keepdims the masked mean keeps the steps axis, of length 1.
  CHECK(torch::equal(keep(x), torch::tensor({2.0F, 5.0F}).reshape({2, 1, 1})));
  const torch::Tensor kept = keep.call_with_mask(x, mask, false);
  CHECK(kept.sizes().vec() == std::vector<int64_t>{2, 1, 1});
  CHECK(kept[0][0][0].item<float>() == 2.5F);
  CHECK_FALSE(keep.compute_mask(x, mask).defined());
}

TEST_CASE("GlobalMaxPooling1D takes the largest value of each channel") {
  layers::GlobalMaxPooling1D pool;
  CHECK(pool.build({3, 2}) == tkeras::Shape{2});
  const torch::Tensor x = torch::tensor({1.0F, 9.0F, 5.0F, 2.0F, 3.0F, 4.0F}).reshape({1, 3, 2});
  CHECK(torch::equal(pool(x), torch::tensor({{5.0F, 9.0F}})));
  CHECK_FALSE(pool.supports_masking());
  layers::GlobalMaxPooling1D keep({.keepdims = true});
  CHECK(keep.build({3, 2}) == tkeras::Shape{1, 2});
  CHECK(torch::equal(keep(x), torch::tensor({5.0F, 9.0F}).reshape({1, 1, 2})));
  CHECK(layers::GlobalMaxPooling1D::from_config(keep.get_config())->keepdims());
}

TEST_CASE("1-D pooling refuses bad sizes and inputs without a channel axis") {
  CHECK_THROWS_WITH_AS(layers::MaxPooling1D(0), "MaxPooling1D: expected a positive pool_size, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::AveragePooling1D(2, {.padding = "causal"}), doctest::Contains("expected padding"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::GlobalAveragePooling1D().build({7}), doctest::Contains("Reshape({7, 1})"),
                       tkeras::Error);
  const layers::MaxPooling1D pool(3, {.strides = 2, .padding = "same"});
  CHECK(layers::MaxPooling1D::from_config(pool.get_config())->get_config() == pool.get_config());
}
