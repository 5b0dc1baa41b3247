// Tests for load_idx: round trips of every IDX type and a clear error for every malformed file.
#include "tkeras/data/idx.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/idx_writer.h"
#include "support.h"
#include "tkeras/core/error.h"

using tkeras::datasets::load_idx;
using tkeras::testing::idx_bytes;
using tkeras::testing::TempDir;
using tkeras::testing::write_bytes;
using tkeras::testing::write_gz;

TEST_CASE("load_idx reads uint8 images, plain and gzip-compressed, with their shape") {
  TempDir dir;
  const std::vector<uint8_t> pixels = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};
  const auto bytes = idx_bytes(0x08, {2, 2, 3}, pixels);
  write_bytes(dir.path() / "images", bytes);
  write_gz(dir.path() / "images.gz", bytes);
  for (const char* name : {"images", "images.gz"}) {
    CAPTURE(name);
    const torch::Tensor images = load_idx(dir.path() / name);
    CHECK(images.sizes().vec() == std::vector<int64_t>{2, 2, 3});
    CHECK((images.scalar_type() == torch::kUInt8));
    CHECK(images[1][1][2].item<int>() == 255);
    CHECK(images[0][1][0].item<int>() == 3);
  }
}

TEST_CASE("load_idx converts big-endian int32 and float32 values to the host's order") {
  TempDir dir;
  write_bytes(dir.path() / "ints", idx_bytes(0x0C, {2}, {0x00, 0x00, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE}));
  const torch::Tensor ints = load_idx(dir.path() / "ints");
  CHECK((ints.scalar_type() == torch::kInt32));
  CHECK(ints[0].item<int>() == 258);
  CHECK(ints[1].item<int>() == -2);

  write_bytes(dir.path() / "floats", idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0x00, 0x00}));  // 1.5f
  CHECK(load_idx(dir.path() / "floats")[0].item<float>() == 1.5f);
}

TEST_CASE("load_idx names the path of a missing file") {
  TempDir dir;
  const auto path = dir.path() / "absent-idx1-ubyte";
  CHECK_THROWS_WITH_AS(load_idx(path), fmt::format("load_idx: cannot open \"{}\": no such file", path.string()).c_str(),
                       tkeras::Error);
}

TEST_CASE("load_idx refuses a wrong magic number and shows the bytes it found") {
  TempDir dir;
  write_bytes(dir.path() / "text", {'h', 'e', 'l', 'l', 'o'});
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "text"),
                       doctest::Contains("not an IDX file: expected magic bytes 00 00, a type code (08, 09, 0B, 0C, 0D "
                                         "or 0E) and 1..8 dimensions, found 68 65 6C 6C"),
                       tkeras::Error);
  write_bytes(dir.path() / "bad-type", idx_bytes(0x07, {1}, {0}));
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "bad-type"), doctest::Contains("found 00 00 07 01"), tkeras::Error);
}

TEST_CASE("load_idx reports a file too short for its header") {
  TempDir dir;
  write_bytes(dir.path() / "short", {0, 0});
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "short"),
                       doctest::Contains("too short for an IDX header: expected 4 magic bytes, found 2 byte(s)"),
                       tkeras::Error);
  write_bytes(dir.path() / "short-dims", {0, 0, 0x08, 3, 0, 0, 0, 2});
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "short-dims"),
                       doctest::Contains("truncated header: expected 3 dimension sizes (12 bytes), found 4 bytes"),
                       tkeras::Error);
}

TEST_CASE("load_idx reports truncated data with the sizes expected and found") {
  TempDir dir;
  const auto bytes = idx_bytes(0x08, {2, 28, 28}, std::vector<uint8_t>(1000, 7));
  write_bytes(dir.path() / "cut", bytes);
  write_gz(dir.path() / "cut.gz", bytes);
  for (const char* name : {"cut", "cut.gz"}) {
    CAPTURE(name);
    CHECK_THROWS_WITH_AS(
        load_idx(dir.path() / name),
        doctest::Contains("truncated: expected 1568 bytes of uint8 data for shape [2, 28, 28], found 1000"),
        tkeras::Error);
  }
}

TEST_CASE("load_idx refuses data longer than the header declares") {
  TempDir dir;
  write_bytes(dir.path() / "long", idx_bytes(0x08, {2}, {1, 2, 3}));
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "long"),
                       doctest::Contains("expected 2 bytes of uint8 data for shape [2], found more after them"),
                       tkeras::Error);
}

TEST_CASE("a header declaring a huge shape fails fast instead of allocating it") {
  TempDir dir;
  write_bytes(dir.path() / "huge", idx_bytes(0x0E, {0xFFFFFFFF, 0xFFFFFFFF}, {1, 2, 3}));
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "huge"), doctest::Contains("header declares shape"), tkeras::Error);
  // Large but allowed: the reader grows with the data, so a short file is reported, not allocated.
  write_bytes(dir.path() / "big", idx_bytes(0x08, {60000, 28, 28}, {1, 2, 3}));
  CHECK_THROWS_WITH_AS(load_idx(dir.path() / "big"), doctest::Contains("found 3"), tkeras::Error);
}

TEST_CASE("load_idx reports a corrupt gzip stream") {
  TempDir dir;
  std::vector<uint8_t> gz = {0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF};
  write_bytes(dir.path() / "corrupt.gz", gz);
  CHECK_THROWS_AS(load_idx(dir.path() / "corrupt.gz"), tkeras::Error);
}
