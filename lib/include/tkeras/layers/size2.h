// Size2: a height and width, as Keras's int-or-tuple kernel sizes, strides and pool sizes.
#pragma once

#include <cstdint>

namespace tkeras::layers {

/// A height and a width, as Keras takes `kernel_size`, `strides` and `pool_size`: one number for
/// both (`3` means 3x3) or two (`{3, 5}`).
struct Size2 {
  /// The same size for height and width.
  Size2(int64_t size) : height(size), width(size) {}  // NOLINT: implicit, so that `Conv2D(64, 3)` works
  /// A height and a width.
  Size2(int64_t height_size, int64_t width_size) : height(height_size), width(width_size) {}

  int64_t height;  ///< Rows.
  int64_t width;   ///< Columns.

  friend bool operator==(const Size2&, const Size2&) = default;
};

}  // namespace tkeras::layers
