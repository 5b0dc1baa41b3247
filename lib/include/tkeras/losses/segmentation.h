// The image segmentation losses, as Keras's: Dice and Tversky.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/losses/loss.h"

namespace tkeras::losses {

/// Dice's options, in Keras's order.
struct DiceOptions {
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
  /// The axes the sums run over; none means every axis, the batch's included, so that the loss is
  /// one number for the batch. Default: none.
  std::optional<std::vector<int64_t>> axis = std::nullopt;
};

/// `1 - 2 * sum(y * p) / (sum(y) + sum(p) + 1e-7)` over `axis`: one minus the overlap of target
/// and predicted masks.
///
/// Example: `tkeras::losses::Dice({.axis = std::vector<int64_t>{1, 2}})` (one value per image).
class Dice : public Loss {
 public:
  /// Default: sums over every axis.
  explicit Dice(DiceOptions options = {});
};

/// Tversky's options, in Keras's order.
struct TverskyOptions {
  /// The weight of the first mismatch term. Default: 0.5.
  double alpha = 0.5;
  /// The weight of the second mismatch term. Default: 0.5.
  double beta = 0.5;
  /// See `LossOptions`. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
  /// The axes the sums run over, as Dice's. Default: none (every axis).
  std::optional<std::vector<int64_t>> axis = std::nullopt;
};

/// Keras 3.15's Tversky loss: `1 - sum(y * p) / (sum(y * p) + alpha * sum((1 - p) * y) + beta *
/// sum(p * (1 - y)) + 1e-7)` over `axis`. With alpha = beta = 0.5 it is Dice's.
class Tversky : public Loss {
 public:
  /// Default: alpha and beta 0.5, sums over every axis.
  explicit Tversky(TverskyOptions options = {});
};

}  // namespace tkeras::losses
