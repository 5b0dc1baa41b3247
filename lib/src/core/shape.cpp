// Shape formatting, in the forms error messages and summary() print.
#include "tkeras/core/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras {

std::string format_shape(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string format_batch_shape(const Shape& shape) {
  if (shape.empty()) return "(None,)";
  return fmt::format("(None, {})", fmt::join(shape, ", "));
}

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t size : shape) {
    if (__builtin_mul_overflow(count, size, &count)) {
      throw Error(fmt::format("shape {} holds more values than an int64 counts", format_batch_shape(shape)));
    }
  }
  return count;
}

}  // namespace tkeras
