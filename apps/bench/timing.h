// Timing helpers the benchmark programs share: a steady clock, seconds since a time point, medians.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace tkeras::bench {

/// The clock every benchmark reads.
using Clock = std::chrono::steady_clock;

/// Seconds from `start` to now.
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The median of `values` (the mean of the middle two for an even count); `values` must not be
/// empty.
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

}  // namespace tkeras::bench
