// Tests for set_random_seed.
#include "tkeras/core/random.h"

#include <doctest/doctest.h>

#include "tkeras/layers/dense.h"

TEST_CASE("the same seed gives the same initial weights, another seed different ones") {
  auto kernel_after_seed = [](uint64_t seed) {
    tkeras::utils::set_random_seed(seed);
    tkeras::layers::Dense dense(4);
    dense.build({3});
    return dense.weights().at(0).value.clone();
  };
  CHECK(torch::equal(kernel_after_seed(7), kernel_after_seed(7)));
  CHECK_FALSE(torch::equal(kernel_after_seed(7), kernel_after_seed(8)));
}
