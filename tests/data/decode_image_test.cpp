// Tests for decode_image: every format and channel count, and every bad file refused by name.
// (Pixels against Pillow, an independent decoder: tests/data/test_decode_image.py.)
#include "tkeras/data/decode_image.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <zlib.h>

#include "data/image_files.h"
#include "support.h"
#include "tkeras/core/error.h"

using tkeras::data::decode_image;
namespace testing = tkeras::testing;

TEST_CASE("a PNG decodes to its exact pixels, in its own channels") {
  const testing::TempDir dir;
  for (int64_t channels = 1; channels <= 4; ++channels) {
    CAPTURE(channels);
    const torch::Tensor image = testing::random_image(5, 7, channels, 40 + channels);
    testing::write_png(dir.path() / "a.png", image);
    const torch::Tensor decoded = decode_image(dir.path() / "a.png");
    CHECK((decoded.scalar_type() == torch::kUInt8));
    CHECK(torch::equal(decoded, image));
  }
}

TEST_CASE("an Adam7-interlaced PNG decodes to its exact pixels") {
  const testing::TempDir dir;
  const torch::Tensor image = testing::random_image(13, 11, 3, 45);
  testing::write_png(dir.path() / "interlaced.png", image, /*interlaced=*/true);
  CHECK(testing::read_bytes(dir.path() / "interlaced.png")[28] == 1);  // IHDR's interlace method: Adam7
  CHECK(torch::equal(decode_image(dir.path() / "interlaced.png"), image));
}

TEST_CASE("channels converts as Pillow does: luma from RGB, alpha dropped, opaque alpha added") {
  const testing::TempDir dir;
  const torch::Tensor rgba = testing::random_image(4, 3, 4, 50);
  testing::write_png(dir.path() / "rgba.png", rgba);
  CHECK(torch::equal(decode_image(dir.path() / "rgba.png", 3), rgba.narrow(2, 0, 3)));
  const torch::Tensor gray = decode_image(dir.path() / "rgba.png", 1);
  REQUIRE(gray.sizes() == torch::IntArrayRef({4, 3, 1}));
  const torch::Tensor rgb = rgba.narrow(2, 0, 3).to(torch::kInt64);
  const torch::Tensor luma =
      (rgb.select(2, 0) * 19595 + rgb.select(2, 1) * 38470 + rgb.select(2, 2) * 7471 + 32768).bitwise_right_shift(16);
  CHECK(torch::equal(gray.squeeze(2).to(torch::kInt64), luma));
  const torch::Tensor one = testing::random_image(4, 3, 1, 51);
  testing::write_png(dir.path() / "gray.png", one);
  const torch::Tensor as_rgba = decode_image(dir.path() / "gray.png", 4);
  CHECK(torch::equal(as_rgba.narrow(2, 0, 3), one.expand({4, 3, 3})));
  CHECK(as_rgba.select(2, 3).eq(255).all().item<bool>());
}

TEST_CASE("a wide image converts to grayscale band by band, every row as the formula gives it") {
  // 300,000 pixels wide: bands of 3 rows (about a million pixels each), the last one of 1 row.
  const testing::TempDir dir;
  const torch::Tensor rgb = testing::random_image(7, 300000, 3, 52);
  testing::write_png(dir.path() / "wide.png", rgb);
  const torch::Tensor gray = decode_image(dir.path() / "wide.png", 1);
  REQUIRE(gray.sizes() == torch::IntArrayRef({7, 300000, 1}));
  const torch::Tensor wide = rgb.to(torch::kInt64);
  const torch::Tensor luma = (wide.select(2, 0) * 19595 + wide.select(2, 1) * 38470 + wide.select(2, 2) * 7471 + 32768)
                                 .bitwise_right_shift(16);
  CHECK(torch::equal(gray.squeeze(2).to(torch::kInt64), luma));
}

TEST_CASE("a JPEG decodes close to what was encoded, as RGB or as grayscale") {
  const testing::TempDir dir;
  // A smooth image, which JPEG keeps well at quality 100.
  const torch::Tensor ramp = (torch::arange(16 * 24).reshape({16, 24, 1}) % 200).to(torch::kUInt8).expand({16, 24, 3});
  testing::write_jpeg(dir.path() / "a.jpg", ramp, 100);
  const torch::Tensor decoded = decode_image(dir.path() / "a.jpg");
  REQUIRE(decoded.sizes() == torch::IntArrayRef({16, 24, 3}));
  CHECK((decoded.to(torch::kInt32) - ramp.to(torch::kInt32)).abs().to(torch::kFloat).mean().item<float>() < 3.0F);
  CHECK(decode_image(dir.path() / "a.jpg", 1).size(2) == 1);
  CHECK(decode_image(dir.path() / "a.jpg", 4).select(2, 3).eq(255).all().item<bool>());
  testing::write_jpeg(dir.path() / "gray.jpg", ramp.narrow(2, 0, 1).contiguous(), 100);
  CHECK(decode_image(dir.path() / "gray.jpg").size(2) == 1);
}

TEST_CASE("a BMP decodes to its exact pixels, the format read from the bytes and not the name") {
  const testing::TempDir dir;
  const torch::Tensor image = testing::random_image(3, 5, 3, 52);
  testing::write_bmp(dir.path() / "a.bmp", image);
  CHECK(torch::equal(decode_image(dir.path() / "a.bmp"), image));
  std::filesystem::copy_file(dir.path() / "a.bmp", dir.path() / "named_wrongly.png");
  CHECK(torch::equal(decode_image(dir.path() / "named_wrongly.png"), image));
}

TEST_CASE("files that are not images, or are cut short or corrupt, are refused naming the file") {
  const testing::TempDir dir;
  const std::string text = (dir.path() / "notes.jpg").string();
  std::ofstream(text) << "not an image";
  CHECK_THROWS_WITH_AS(
      decode_image(std::filesystem::path(text)),
      fmt::format("decode_image: \"{}\" is not a JPEG, PNG, BMP or GIF image (its first bytes are none "
                  "of theirs)",
                  text)
          .c_str(),
      tkeras::Error);
  std::ofstream(dir.path() / "empty.png").close();
  CHECK_THROWS_WITH_AS(decode_image(dir.path() / "empty.png"), doctest::Contains("it is empty"), tkeras::Error);
  CHECK_THROWS_WITH_AS(decode_image(dir.path() / "missing.png"), doctest::Contains("cannot open"), tkeras::Error);

  const torch::Tensor image = testing::random_image(20, 20, 3, 53);
  testing::write_png(dir.path() / "whole.png", image);
  testing::write_jpeg(dir.path() / "whole.jpg", image);
  for (const char* name : {"whole.png", "whole.jpg"}) {
    CAPTURE(name);
    const std::string bytes = testing::read_bytes(dir.path() / name);
    const auto cut = dir.path() / (std::string("cut_") + name);
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    CHECK_THROWS_WITH_AS(decode_image(cut),
                         doctest::Contains(fmt::format("cannot decode \"{}\"", cut.string()).c_str()), tkeras::Error);
    // A flipped byte in the compressed data: libpng's checksum catches it.
    if (std::string(name) == "whole.png") {
      std::string corrupt = bytes;
      corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x5A);
      std::ofstream(dir.path() / "corrupt.png", std::ios::binary) << corrupt;
      CHECK_THROWS_AS(decode_image(dir.path() / "corrupt.png"), tkeras::Error);
    }
  }
  CHECK_THROWS_WITH_AS(decode_image(dir.path() / "whole.png", 2),
                       "decode_image: expected channels 0, 1, 3 or 4, received 2", tkeras::Error);
}

TEST_CASE("an image whose header claims more pixels than the limit is refused before any allocation") {
  const testing::TempDir dir;
  testing::write_png(dir.path() / "small.png", testing::random_image(1, 1, 1, 54));
  std::string bytes = testing::read_bytes(dir.path() / "small.png");
  // IHDR's width and height (bytes 16..23) set to 100,000 x 100,000; its CRC fixed to match.
  const uint32_t side = 100000;
  for (int i = 0; i < 4; ++i) bytes[16 + i] = bytes[20 + i] = static_cast<char>(side >> (24 - 8 * i));
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + 12), 17));
  for (int i = 0; i < 4; ++i) bytes[29 + i] = static_cast<char>(crc >> (24 - 8 * i));
  std::ofstream(dir.path() / "bomb.png", std::ios::binary) << bytes;
  CHECK_THROWS_WITH_AS(decode_image(dir.path() / "bomb.png"),
                       doctest::Contains("an image of 100000x100000 pixels, over the limit of 178956970 pixels"),
                       tkeras::Error);
}
