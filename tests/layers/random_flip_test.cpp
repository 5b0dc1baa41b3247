// Tests for RandomFlip.
#include "tkeras/layers/random_flip.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

using tkeras::layers::RandomFlip;

TEST_CASE("RandomFlip gives each image or its flip while training, and passes images through otherwise") {
  const torch::Tensor x = torch::rand({32, 5, 6, 3});
  for (const char* mode : {"horizontal", "vertical", "horizontal_and_vertical"}) {
    CAPTURE(mode);
    RandomFlip flip(mode, {.seed = 3});
    flip.build({5, 6, 3});
    const torch::Tensor out = flip(x, /*training=*/true);
    const std::string m = mode;
    const torch::Tensor flipped = m == "horizontal" ? x.flip({2}) : m == "vertical" ? x.flip({1}) : x.flip({1, 2});
    int kept = 0, turned = 0;
    for (int64_t i = 0; i < 32; ++i) {
      const bool same = torch::equal(out[i], x[i]);
      const bool other = torch::equal(out[i], flipped[i]);
      CHECK((same || other));
      kept += same ? 1 : 0;
      turned += other ? 1 : 0;
    }
    CHECK(kept > 4);
    CHECK(turned > 4);
    CHECK(torch::equal(flip(x, /*training=*/false), x));
  }
}

TEST_CASE("RandomFlip with a seed flips the same images each time it is made") {
  const torch::Tensor x = torch::rand({16, 4, 4, 1});
  RandomFlip a("horizontal", {.seed = 9});
  RandomFlip b("horizontal", {.seed = 9});
  a.build({4, 4, 1});
  b.build({4, 4, 1});
  CHECK(torch::equal(a(x, true), b(x, true)));
  // Its config round-trips, seed included.
  const auto copy = RandomFlip::from_config(a.get_config());
  CHECK(copy->mode() == "horizontal");
  CHECK(copy->get_config() == a.get_config());
}

TEST_CASE("RandomFlip refuses an unknown mode and inputs that are not images") {
  CHECK_THROWS_WITH_AS(RandomFlip("diagonal"), doctest::Contains("received \"diagonal\""), tkeras::Error);
  RandomFlip flip;
  CHECK_THROWS_WITH_AS(flip.build({10}),
                       "RandomFlip: expected images of shape (batch, height, width, channels), received input of "
                       "shape (None, 10)",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(RandomFlip::from_config({{"mode", "horizontal"}, {"data_format", "channels_first"}}),
                       doctest::Contains("expected data_format \"channels_last\""), tkeras::Error);
}
