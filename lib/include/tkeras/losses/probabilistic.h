// The probabilistic losses beside the cross-entropies, as Keras's: Kullback-Leibler divergence,
// Poisson, and CTC for unaligned sequences.
#pragma once

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// `sum(y * log(y / p))` over the last axis, with both clipped to [1e-7, 1] (`"kl_divergence"`,
/// `"kld"`): how far the predicted distribution is from the target one.
class KLDivergence : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit KLDivergence(LossOptions options = {});
};

/// `mean(p - y * log(p + 1e-7))` over the last axis (`"poisson"`), for counts.
class Poisson : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit Poisson(LossOptions options = {});
};

/// Connectionist temporal classification (`"ctc"`), for outputs `[N, T, C]` whose labels `[N, L]`
/// are not aligned with the T steps (handwriting, speech). Class 0 is the blank, and a label
/// sequence ends at its zeros (its length is its count of non-zero labels). As Keras's torch
/// backend, the outputs are taken through log-softmax, and each sample's loss is LibTorch's
/// `ctc_loss` over all T steps.
class CTC : public Loss {
 public:
  /// Default: Keras's reduction.
  explicit CTC(LossOptions options = {});
};

}  // namespace tkeras::losses
