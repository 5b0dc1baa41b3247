// What the metric families share: Keras's divide_no_nan and squeeze_or_expand_to_same_rank, and
// mean metrics made of a loss's formula (internal).
#pragma once

#include <utility>

#include <torch/types.h>

#include "tkeras/losses/loss.h"
#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics::detail {

/// Keras's divide_no_nan: `numerator / divisor`, 0 where the divisor is 0.
torch::Tensor divide_no_nan(const torch::Tensor& numerator, const torch::Tensor& divisor);

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer ends in an
/// axis of 1, that axis is dropped (or, against a rank-1 tensor, the other gains one).
std::pair<torch::Tensor, torch::Tensor> same_rank(torch::Tensor x1, torch::Tensor x2);

/// The metric function of `loss`'s formula (its per-sample values, before any reduction), as
/// Keras's mean metrics wrap the loss functions: targets become floats of the outputs' rank first.
MetricFunction loss_formula(const losses::Loss& loss);

}  // namespace tkeras::metrics::detail
