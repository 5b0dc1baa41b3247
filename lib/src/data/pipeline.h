// The stages of a dataset's pipeline (internal): what a Dataset holds, and what loaders build.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

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

}  // namespace pipeline
}  // namespace tkeras::data
