// The metric-learning loss, as Keras's: Circle.
#pragma once

#include <string>

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// Circle's options, in Keras's order.
struct CircleOptions {
  /// The scale of the pairwise terms. Default: 80.
  double gamma = 80.0;
  /// The relaxation margin. Default: 0.4.
  double margin = 0.4;
  /// Whether a sample is left out of its own positive pairs. Default: true.
  bool remove_diagonal = true;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// Sun et al.'s circle loss on embeddings `[N, D]` (L2-normalised, as a UnitNormalization layer
/// gives them) and integer labels `[N]`: it pulls same-label pairs within the batch together and
/// pushes the others apart. Only the samples whose loss is above 0 count in the mean, as Keras's
/// mask.
class Circle : public Loss {
 public:
  /// Default: gamma 80, margin 0.4, diagonal removed. Throws `tkeras::Error` for a negative gamma.
  explicit Circle(CircleOptions options = {});
};

}  // namespace tkeras::losses
