// timeseries_dataset_from_array: sliding windows over a series as a dataset, as Keras's.
#pragma once

#include <cstdint>
#include <optional>

#include <torch/types.h>

#include "tkeras/data/dataset.h"

namespace tkeras::data {

/// The arguments of `timeseries_dataset_from_array`, Keras's, with Keras's defaults, in Keras's
/// order.
struct TimeseriesDatasetOptions {
  /// Time steps per window. Required (> 0).
  int64_t sequence_length = 0;
  /// Steps between the starts of consecutive windows. Default: 1.
  int64_t sequence_stride = 1;
  /// Steps between the samples within a window. Default: 1.
  int64_t sampling_rate = 1;
  /// Windows per batch; 0 gives single windows, unbatched (Keras's `batch_size=None`).
  /// Default: 128.
  int64_t batch_size = 128;
  /// Shuffle the windows: their order once with NumPy's `RandomState(seed)`, as Keras, then at
  /// each pass through a buffer of 8 batches. Default: false.
  bool shuffle = false;
  /// The seed of both shuffles. Default: none, one is drawn.
  std::optional<uint64_t> seed;
  /// The first time step used. Default: 0.
  std::optional<int64_t> start_index;
  /// The time step after the last one used (below the series' length). Default: the whole series.
  std::optional<int64_t> end_index;
};

/// A dataset of windows over `data` (`[time, ...]`), as Keras's `timeseries_dataset_from_array`
/// (the course's windowed series): window i is `data[s, s + r, ..., s + (length - 1) r]` for
/// `s = start_index + i * sequence_stride` and `r = sampling_rate`, `[batch, sequence_length,
/// ...]` once batched; its target, if `targets` is defined, is `targets[s]` (pass the series
/// shifted by the horizon, as Keras's documentation shows). Windows that would run past
/// `end_index` are not made.
///
/// Throws `tkeras::Error`, as Keras raises, for a missing sequence_length, non-positive stride or
/// rate, a start or end index out of range, targets shorter than nothing, and data too short for
/// one window.
///
/// Example (course 4: 20 past values predict the next one):
/// ```
/// auto windows = tkeras::data::timeseries_dataset_from_array(series.narrow(0, 0, n - 20), series.narrow(0, 20, n -
/// 20),
///                                                            {.sequence_length = 20, .batch_size = 32, .shuffle =
///                                                            true, .seed = 1});
/// ```
Dataset timeseries_dataset_from_array(const torch::Tensor& data, const torch::Tensor& targets,
                                      const TimeseriesDatasetOptions& options);

}  // namespace tkeras::data
