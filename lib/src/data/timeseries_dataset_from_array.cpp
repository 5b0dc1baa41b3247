// timeseries_dataset_from_array: window start positions as a dataset, gathered batch by batch.
#include "tkeras/data/timeseries_dataset_from_array.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/pipeline.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::data {
namespace {

constexpr const char* kName = "timeseries_dataset_from_array";

void check(const torch::Tensor& data, const torch::Tensor& targets, const TimeseriesDatasetOptions& options) {
  if (!data.defined() || data.dim() < 1) {
    throw Error(fmt::format("{}: expected data as a tensor of shape [time, ...], received {}", kName,
                            data.defined() ? format_shape(data.sizes().vec()) : "an undefined tensor"));
  }
  const int64_t length = data.size(0);
  if (options.sequence_length <= 0) {
    throw Error(fmt::format("{}: expected sequence_length > 0, received {}", kName, options.sequence_length));
  }
  if (options.sequence_stride <= 0) {
    throw Error(fmt::format("{}: expected sequence_stride > 0, received {}", kName, options.sequence_stride));
  }
  if (options.sampling_rate <= 0 || options.sampling_rate >= length) {
    throw Error(fmt::format("{}: expected sampling_rate in 1..{} (below the data's length), received {}", kName,
                            length - 1, options.sampling_rate));
  }
  if (options.batch_size < 0) {
    throw Error(fmt::format("{}: expected batch_size >= 0 (0: unbatched), received {}", kName, options.batch_size));
  }
  if (options.start_index && (*options.start_index < 0 || *options.start_index >= length)) {
    throw Error(fmt::format("{}: expected start_index in 0..{} (below the data's length), received {}", kName,
                            length - 1, *options.start_index));
  }
  if (options.end_index) {
    const int64_t start = options.start_index.value_or(0);
    if (*options.end_index <= start || *options.end_index >= length) {
      throw Error(
          fmt::format("{}: expected end_index in {}..{} (above start_index, below the data's length), "
                      "received {}",
                      kName, start + 1, length - 1, *options.end_index));
    }
  }
  if (targets.defined() && targets.dim() < 1) {
    throw Error(fmt::format("{}: expected targets of shape [time, ...], received []", kName));
  }
}

}  // namespace

Dataset timeseries_dataset_from_array(const torch::Tensor& data, const torch::Tensor& targets,
                                      const TimeseriesDatasetOptions& options) {
  check(data, targets, options);
  const int64_t start = options.start_index.value_or(0);
  const int64_t end = options.end_index.value_or(data.size(0));
  int64_t windows = end - start - (options.sequence_length - 1) * options.sampling_rate;
  if (targets.defined()) windows = std::min(windows, targets.size(0));
  if (windows <= 0) {
    throw Error(fmt::format("{}: {} time steps from {} to {} hold no window of {} steps {} apart", kName, end - start,
                            start, end, options.sequence_length, options.sampling_rate));
  }
  std::vector<int64_t> positions;
  for (int64_t p = 0; p < windows; p += options.sequence_stride) positions.push_back(p);
  if (targets.defined() && targets.size(0) <= start) {
    throw Error(fmt::format("{}: expected targets beyond start_index {}, received targets of {} steps", kName, start,
                            targets.size(0)));
  }
  // Keras draws a seed below 1e6 when none is given, and uses it for both shuffles.
  const uint64_t seed = options.seed ? *options.seed : pipeline::draw_seed() % 1000000;
  if (options.shuffle) pipeline::numpy_shuffle(positions, seed);

  // Keras slices both the data and the targets at start_index..end_index.
  const torch::Tensor series = data.narrow(0, start, end - start);
  torch::Tensor target_series;
  if (targets.defined()) {
    const int64_t available = std::min(end, targets.size(0)) - start;
    if (available < windows) {
      throw Error(
          fmt::format("{}: expected targets for each of the {} windows from start_index {}, received targets "
                      "of {} steps",
                      kName, windows, start, targets.size(0)));
    }
    target_series = targets.narrow(0, start, available);
  }
  const torch::Tensor offsets = torch::arange(options.sequence_length, torch::kLong) * options.sampling_rate;
  Dataset dataset = Dataset::from_tensor_slices(torch::tensor(positions, torch::kLong));
  if (options.shuffle) {
    dataset = dataset.shuffle(options.batch_size > 0 ? options.batch_size * 8 : 1024, {.seed = seed});
  }
  if (options.batch_size > 0) dataset = dataset.batch(options.batch_size);
  // One gather per batch: the windows' time steps as one index tensor.
  return dataset.map([series, target_series, offsets](Element element) {
    const torch::Tensor starts = element.x;
    const torch::Tensor steps = starts.unsqueeze(-1) + offsets;  // [batch, length] or [length]
    Element window;
    std::vector<int64_t> shape = steps.sizes().vec();
    const auto sample = series.sizes().slice(1);
    shape.insert(shape.end(), sample.begin(), sample.end());
    window.x = series.index_select(0, steps.flatten()).view(shape);
    if (target_series.defined()) {
      std::vector<int64_t> target_shape = starts.sizes().vec();
      const auto rest = target_series.sizes().slice(1);
      target_shape.insert(target_shape.end(), rest.begin(), rest.end());
      window.y = target_series.index_select(0, starts.flatten()).view(target_shape);
    }
    return window;
  });
}

}  // namespace tkeras::data
