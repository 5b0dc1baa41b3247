// Tests for tkeras::Error.
#include "tkeras/core/error.h"

#include <doctest/doctest.h>

TEST_CASE("an Error is a std::runtime_error that keeps its message") {
  const tkeras::Error error("Dense \"dense\": expected 784 features, received 10");
  const std::runtime_error& base = error;
  CHECK(std::string(base.what()) == "Dense \"dense\": expected 784 features, received 10");
}
