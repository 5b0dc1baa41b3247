// Shape: tensor shapes as tkeras passes them between layers, and their printed forms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tkeras {

/// A tensor shape without the batch axis, as Keras's `input_shape`: `{28, 28}` for a batch
/// of 28x28 images.
using Shape = std::vector<int64_t>;

/// Formats a full shape as `[32, 28, 28]`, the form error messages use for received data.
std::string format_shape(const Shape& shape);

/// Formats a shape without the batch axis as Keras prints it: `(None, 28, 28)`.
std::string format_batch_shape(const Shape& shape);

/// The number of elements of one sample of this shape (1 for the empty shape). Throws
/// `tkeras::Error` when the count does not fit an int64.
int64_t element_count(const Shape& shape);

}  // namespace tkeras
