// The stages of a dataset's pipeline (internal): what a Dataset holds, and what loaders build.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "tkeras/data/dataset.h"

namespace tkeras::data {

/// A stage of a pipeline. It is immutable once built, except for what a pass leaves behind on
/// purpose (a cache, a shuffle's pass count), so datasets that share it can be read one after
/// another.
struct Dataset::Node {
  virtual ~Node() = default;
  /// Starts a pass.
  virtual std::unique_ptr<Iterator::Cursor> open() const = 0;
  /// The number of elements, or `kInfinite` or `kUnknown`.
  virtual int64_t cardinality() const = 0;
};

namespace pipeline {

/// A cursor whose elements `function` computes on `threads` worker threads, ahead of the consumer
/// by at most `capacity` elements and in the order of `source`. Without a function it only reads
/// ahead (prefetch).
std::unique_ptr<Dataset::Iterator::Cursor> parallel(std::unique_ptr<Dataset::Iterator::Cursor> source,
                                                    std::function<Element(Element)> function, int threads,
                                                    int64_t capacity);

/// A seed drawn from LibTorch's default CPU generator, so that `set_random_seed` fixes it.
uint64_t draw_seed();

/// Makes LibTorch's ops on the calling thread (a pipeline worker) run on that thread alone, as
/// PyTorch's DataLoader gives each worker one thread: the workers are the parallelism, and OpenMP
/// teams opened from each of them would oversubscribe the cores (measured in docs/benchmarks.md).
/// Other threads keep their thread counts.
void use_one_intra_op_thread();

// NumPy's legacy RandomState(seed).shuffle, which Keras's index_directory and
// timeseries_dataset_from_array use: Fisher-Yates from the end, each index drawn from MT19937 by
// masked rejection (random_interval). The same seed then gives Keras's order.
template <typename T>
void numpy_shuffle(std::vector<T>& items, uint64_t seed) {
  if (items.size() < 2) return;
  std::mt19937 engine(static_cast<uint32_t>(seed));
  for (size_t i = items.size() - 1; i >= 1; --i) {
    uint64_t mask = i;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint64_t j = 0;
    do {
      j = engine() & mask;
    } while (j > i);
    std::swap(items[i], items[j]);
  }
}

}  // namespace pipeline
}  // namespace tkeras::data
