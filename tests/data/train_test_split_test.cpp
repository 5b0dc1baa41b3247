// Tests for load_idx_dataset and finding IDX files.
#include "tkeras/data/train_test_split.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/idx_writer.h"
#include "support.h"
#include "tkeras/core/error.h"

namespace {

void write_set(const std::filesystem::path& dir, uint32_t train, uint32_t test, uint32_t train_labels) {
  using tkeras::testing::idx_bytes;
  tkeras::testing::write_gz(dir / "train-images-idx3-ubyte.gz",
                            idx_bytes(0x08, {train, 2, 2}, std::vector<uint8_t>(train * 4, 9)));
  tkeras::testing::write_gz(dir / "train-labels-idx1-ubyte.gz",
                            idx_bytes(0x08, {train_labels}, std::vector<uint8_t>(train_labels, 3)));
  tkeras::testing::write_bytes(dir / "t10k-images-idx3-ubyte",
                               idx_bytes(0x08, {test, 2, 2}, std::vector<uint8_t>(test * 4, 1)));
  tkeras::testing::write_bytes(dir / "t10k-labels-idx1-ubyte", idx_bytes(0x08, {test}, std::vector<uint8_t>(test, 4)));
}

}  // namespace

TEST_CASE("load_idx_dataset returns uint8 images and int64 labels for both splits, plain or gz") {
  tkeras::testing::TempDir dir;
  write_set(dir.path(), 5, 3, 5);
  CHECK(tkeras::datasets::has_idx_dataset(dir.path()));
  auto [x_train, y_train, x_test, y_test] = tkeras::datasets::load_idx_dataset(dir.path(), "tiny");
  CHECK(x_train.sizes().vec() == std::vector<int64_t>{5, 2, 2});
  CHECK((x_train.scalar_type() == torch::kUInt8));
  CHECK((y_train.scalar_type() == torch::kInt64));
  CHECK(x_test.size(0) == 3);
  CHECK(y_test[0].item<int64_t>() == 4);
}

TEST_CASE("a missing file is named with the directory searched") {
  tkeras::testing::TempDir dir;
  write_set(dir.path(), 5, 3, 5);
  std::filesystem::remove(dir.path() / "t10k-labels-idx1-ubyte");
  CHECK_FALSE(tkeras::datasets::has_idx_dataset(dir.path()));
  CHECK_THROWS_WITH_AS(
      tkeras::datasets::load_idx_dataset(dir.path(), "tiny"),
      fmt::format("tiny: no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz in \"{}\"", dir.path().string())
          .c_str(),
      tkeras::Error);
}

TEST_CASE("images and labels of different counts are refused") {
  tkeras::testing::TempDir dir;
  write_set(dir.path(), 5, 3, 4);
  CHECK_THROWS_WITH_AS(tkeras::datasets::load_idx_dataset(dir.path(), "tiny"),
                       doctest::Contains("expected as many training labels as images"), tkeras::Error);
}
