// Tests for read_csv: types, labels, quoting, and every bad cell named by line and column.
#include "tkeras/data/read_csv.h"

#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"

using tkeras::data::read_csv;

namespace {

std::filesystem::path write(const tkeras::testing::TempDir& dir, const std::string& text) {
  const auto path = dir.path() / "data.csv";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("read_csv reads features as float32 and whole-number labels as int64 class indices") {
  const tkeras::testing::TempDir dir;
  const auto path = write(dir, "age,chol,target\n63,233.5,1\n37,250,0\r\n41,204,2\n");
  const auto csv = read_csv(path, {.label_column = "target"});
  CHECK(csv.feature_names == std::vector<std::string>{"age", "chol"});
  CHECK(torch::allclose(csv.x, torch::tensor({{63.0F, 233.5F}, {37.0F, 250.0F}, {41.0F, 204.0F}})));
  CHECK((csv.y.scalar_type() == torch::kInt64));
  CHECK(torch::equal(csv.y, torch::tensor({1, 0, 2}, torch::kInt64)));
  // Fractional labels are regression targets: float32.
  const auto regression = read_csv(write(dir, "x,y\n1,0.5\n2,1.5\n"), {.label_column = "y"});
  CHECK((regression.y.scalar_type() == torch::kFloat32));
}

TEST_CASE("read_csv selects columns in the given order, honours column types, quotes and delimiters") {
  const tkeras::testing::TempDir dir;
  const auto path = write(dir, "a;\"b;c\";label\n1;2;3\n4;5;6\n");
  const auto csv = read_csv(path, {.label_column = "label",
                                   .select_columns = {"b;c", "a"},
                                   .column_types = {{"a", "int64"}, {"label", "float64"}},
                                   .delimiter = ';'});
  CHECK(csv.feature_names == std::vector<std::string>{"b;c", "a"});
  // Features of mixed types go to the widest: float32 and int64 give float32.
  CHECK((csv.x.scalar_type() == torch::kFloat32));
  CHECK(torch::equal(csv.x, torch::tensor({{2.0F, 1.0F}, {5.0F, 4.0F}})));
  CHECK((csv.y.scalar_type() == torch::kFloat64));
  const auto unlabelled = read_csv(path, {.delimiter = ';'});
  CHECK_FALSE(unlabelled.y.defined());
  CHECK(unlabelled.x.size(1) == 3);
}

TEST_CASE("a bad cell is reported with its file, line and column, lines counted across quoted line breaks") {
  const tkeras::testing::TempDir dir;
  const auto path = write(dir, "name,value\n\"two\nlines\",1\n3,abc\n");
  CHECK_THROWS_WITH_AS(
      read_csv(path, {.select_columns = {"value"}}),
      fmt::format("read_csv: \"{}\" line 4, column 2 (\"value\"): expected a number, received \"abc\"", path.string())
          .c_str(),
      tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n1,\n"), {}),
                       doctest::Contains("line 2, column 2 (\"b\"): expected a number, received an empty cell"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n1,2\n3\n"), {}),
                       doctest::Contains("line 3: expected 2 cells as in the header, received 1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n1,2.5\n"), {.column_types = {{"b", "int32"}}}),
                       doctest::Contains("column 2 (\"b\"): expected a whole number, received \"2.5\""), tkeras::Error);
}

TEST_CASE("read_csv refuses missing files and columns, empty files and unknown types") {
  const tkeras::testing::TempDir dir;
  CHECK_THROWS_WITH_AS(read_csv(dir.path() / "missing.csv"), doctest::Contains("cannot open"), tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "")), doctest::Contains("is empty; expected a header line"), tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n")), doctest::Contains("has a header but no rows"), tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n1,2\n"), {.label_column = "target"}),
                       doctest::Contains("has no column \"target\"; its columns are a, b"), tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n1,2\n"), {.column_types = {{"a", "text"}}}),
                       doctest::Contains("expected column_types[\"a\"] to be float32, float64, int64 or int32"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(read_csv(write(dir, "a,b\n\"1,2\n")), doctest::Contains("is not valid CSV"), tkeras::Error);
}
