// Seeding LibTorch's generators.
#include "tkeras/core/random.h"

#include <torch/utils.h>

namespace tkeras::utils {

void set_random_seed(uint64_t seed) { torch::manual_seed(seed); }

}  // namespace tkeras::utils
