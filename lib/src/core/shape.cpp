// Shape formatting, in the forms error messages and summary() print.
#include "tkeras/core/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tkeras {

std::string format_shape(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string format_batch_shape(const Shape& shape) {
  if (shape.empty()) return "(None,)";
  return fmt::format("(None, {})", fmt::join(shape, ", "));
}

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t size : shape) count *= size;
  return count;
}

}  // namespace tkeras
