// Tests for Shape formatting.
#include "tkeras/core/shape.h"

#include <doctest/doctest.h>

TEST_CASE("format_shape prints a full shape in brackets") {
  CHECK(tkeras::format_shape({32, 28, 28}) == "[32, 28, 28]");
  CHECK(tkeras::format_shape({}) == "[]");
}

TEST_CASE("format_batch_shape prints Keras's (None, ...) form") {
  CHECK(tkeras::format_batch_shape({784}) == "(None, 784)");
  CHECK(tkeras::format_batch_shape({28, 28}) == "(None, 28, 28)");
  CHECK(tkeras::format_batch_shape({}) == "(None,)");
}

TEST_CASE("element_count multiplies the sizes of a sample") {
  CHECK(tkeras::element_count({28, 28}) == 784);
  CHECK(tkeras::element_count({}) == 1);
}
