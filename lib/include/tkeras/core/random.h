// Seeding: one call that makes initial weights, shuffling and dropout repeatable.
#pragma once

#include <cstdint>

namespace tkeras::utils {

/// Seeds every random number generator tkeras draws from (LibTorch's CPU and CUDA
/// generators), as `keras.utils.set_random_seed`. Two runs with the same seed, data and
/// device then start from the same weights and see batches in the same order.
void set_random_seed(uint64_t seed);

}  // namespace tkeras::utils
