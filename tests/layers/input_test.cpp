// Tests for Input.
#include "tkeras/layers/input.h"

#include <doctest/doctest.h>

#include "tkeras/core/error.h"

TEST_CASE("Input holds the shape of one sample") {
  const tkeras::layers::Input input({28, 28});
  CHECK(input.shape() == tkeras::Shape{28, 28});
  CHECK(input.class_name() == "InputLayer");
}

TEST_CASE("Input refuses empty and non-positive shapes") {
  CHECK_THROWS_WITH_AS(tkeras::layers::Input({}), "Input: expected a shape with at least one axis, received ()",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::layers::Input({28, -1}),
                       "Input: expected a shape of positive sizes, received (None, 28, -1)", tkeras::Error);
}
