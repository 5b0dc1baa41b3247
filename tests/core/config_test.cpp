// Tests for ConfigReader: typed options with defaults, and errors that name the option.
#include "tkeras/core/config.h"

#include <doctest/doctest.h>

#include "tkeras/core/error.h"

using tkeras::Config;
using tkeras::ConfigReader;

TEST_CASE("options are read with their types, and absent or null ones take the default") {
  const Config config = {{"units", 4},       {"rate", 0.5}, {"name", "x"},     {"flag", false}, {"activation", nullptr},
                         {"kernel", {3, 5}}, {"pool", 2},   {"shape", {2, -1}}};
  const ConfigReader read(config);
  CHECK(read.positive_int("units") == 4);
  CHECK(read.number("rate") == 0.5);
  CHECK(read.number("missing", 1.5) == 1.5);
  CHECK(read.string("name", "") == "x");
  CHECK(read.string("activation", "linear") == "linear");
  CHECK_FALSE(read.boolean("flag", true));
  CHECK(read.size2("kernel") == std::pair<int64_t, int64_t>{3, 5});
  CHECK(read.size2("pool") == std::pair<int64_t, int64_t>{2, 2});
  CHECK(read.shape("shape", /*allow_unknown=*/true) == tkeras::Shape{2, -1});
  CHECK(read.non_negative_int("missing", 7) == 7);
}

TEST_CASE("a wrong type or range names the option, what was expected and what was received") {
  const Config config = {
      {"units", 0}, {"huge", int64_t{1} << 50}, {"kernel", {3, 0}}, {"shape", {-1, -1}}, {"name", 3}};
  const ConfigReader read(config);
  CHECK_THROWS_WITH_AS(read.positive_int("units"), "expected \"units\" as a positive integer, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(read.positive_int("huge"), doctest::Contains("expected \"huge\" as a positive integer"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(read.size2("kernel"),
                       "expected \"kernel\" as a positive integer or [height, width], received [3,0]", tkeras::Error);
  CHECK_THROWS_WITH_AS(read.shape("shape", true), doctest::Contains("one of which may be -1, received [-1,-1]"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(read.string("name", ""), "expected \"name\" as a string, received 3", tkeras::Error);
  CHECK_THROWS_WITH_AS(read.positive_int("absent"), "expected an option \"absent\", found none", tkeras::Error);
  CHECK_THROWS_WITH_AS(ConfigReader(Config::array()), "expected a config object, received []", tkeras::Error);
}
