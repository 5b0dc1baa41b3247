// Tests for timeseries_dataset_from_array, from the semantics of Keras 3.15's source (Keras runs it on
// tf.data or grain, neither of which the parity suite installs).
#include "tkeras/data/timeseries_dataset_from_array.h"

#include <set>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::data::timeseries_dataset_from_array;

TEST_CASE("windows of the course's series: each of sequence_length steps, its target the step after it") {
  const torch::Tensor series = torch::arange(10, torch::kFloat32);
  // 3 past values predict the next: targets are the series shifted by 3.
  const auto dataset = timeseries_dataset_from_array(series.narrow(0, 0, 7), series.narrow(0, 3, 7),
                                                     {.sequence_length = 3, .batch_size = 4});
  CHECK(dataset.cardinality() == 2);
  const tkeras::data::Element all = dataset.concatenated();
  REQUIRE(all.x.sizes() == torch::IntArrayRef({5, 3}));
  CHECK(torch::equal(all.x[0], torch::tensor({0.0F, 1.0F, 2.0F})));
  CHECK(torch::equal(all.x[4], torch::tensor({4.0F, 5.0F, 6.0F})));
  CHECK(torch::equal(all.y, torch::tensor({3.0F, 4.0F, 5.0F, 6.0F, 7.0F})));
}

TEST_CASE("stride, sampling rate, start and end indices pick the windows as Keras describes") {
  const torch::Tensor data = torch::arange(100).view({50, 2});
  const auto dataset = timeseries_dataset_from_array(data, {},
                                                     {.sequence_length = 4,
                                                      .sequence_stride = 5,
                                                      .sampling_rate = 2,
                                                      .batch_size = 0,
                                                      .start_index = 10,
                                                      .end_index = 40});
  std::vector<int64_t> firsts;
  for (const auto& window : dataset) {
    CHECK(window.x.sizes() == torch::IntArrayRef({4, 2}));
    CHECK_FALSE(window.y.defined());
    const int64_t first = window.x[0][0].item<int64_t>() / 2;
    firsts.push_back(first);
    // The steps of a window are sampling_rate apart.
    CHECK(window.x[3][0].item<int64_t>() / 2 == first + 6);
  }
  // Windows start at 10, 15, ... while 4 steps 2 apart fit before 40: the last start is 33.
  CHECK(firsts == std::vector<int64_t>{10, 15, 20, 25, 30});
}

TEST_CASE("shuffle visits every window once, in an order fixed by the seed") {
  const torch::Tensor series = torch::arange(40);
  auto starts = [&](uint64_t seed) {
    std::vector<int64_t> out;
    for (const auto& batch : timeseries_dataset_from_array(
             series, series, {.sequence_length = 5, .batch_size = 8, .shuffle = true, .seed = seed})) {
      CHECK(torch::equal(batch.y, batch.x.select(1, 0)));
      for (int64_t i = 0; i < batch.x.size(0); ++i) out.push_back(batch.x[i][0].item<int64_t>());
    }
    return out;
  };
  const std::vector<int64_t> first = starts(3);
  CHECK(first.size() == 36);
  CHECK(std::set<int64_t>(first.begin(), first.end()).size() == 36);
  CHECK(first == starts(3));
  CHECK(first != starts(4));
}

TEST_CASE("bad windows and indices are refused, saying what was expected") {
  const torch::Tensor data = torch::zeros({20});
  CHECK_THROWS_WITH_AS(timeseries_dataset_from_array(data, {}, {}),
                       "timeseries_dataset_from_array: expected sequence_length > 0, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(timeseries_dataset_from_array(data, {}, {.sequence_length = 30}),
                       doctest::Contains("hold no window of 30 steps"), tkeras::Error);
  CHECK_THROWS_WITH_AS(timeseries_dataset_from_array(data, {}, {.sequence_length = 3, .start_index = 25}),
                       doctest::Contains("expected start_index in 0..19"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      timeseries_dataset_from_array(data, {}, {.sequence_length = 3, .start_index = 5, .end_index = 5}),
      doctest::Contains("expected end_index in 6..19"), tkeras::Error);
  CHECK_THROWS_WITH_AS(timeseries_dataset_from_array(data, {}, {.sequence_length = 3, .sampling_rate = 0}),
                       doctest::Contains("expected sampling_rate in 1..19"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      timeseries_dataset_from_array(data, torch::zeros({4}), {.sequence_length = 3, .start_index = 2}),
      doctest::Contains("expected targets for each of the 4 windows from start_index 2, received targets of 4 steps"),
      tkeras::Error);
}
