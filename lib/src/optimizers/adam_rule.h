// Keras's Adam update rule, which AdamW shares (internal).
#pragma once

#include "optimizers/optimizer_impl.h"

namespace tkeras::optimizers::detail {

/// Adam's variables and update (adam.cpp): momentums and velocities, with amsgrad the largest
/// velocities seen; float32 weights on the CPU go through LibTorch's fused kernel.
struct AdamRule {
  double beta_1;
  double beta_2;
  double epsilon;
  bool amsgrad;

  /// Keras's `Adam.build`: momentums and velocities interleaved, then velocity_hats with amsgrad.
  SlotGroups slots() const;
  /// Keras's `Adam.update_step`.
  void update_step(UpdateStep& step) const;
};

}  // namespace tkeras::optimizers::detail
