// ActivityLosses: the penalties of the layers' activity regularizers on their outputs, collected
// during one forward pass of fit's or evaluate's step, as Keras's layers add_loss them (internal).
#pragma once

#include <vector>

#include <torch/types.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers::detail {

/// While one exists on a thread, the models' forward passes on that thread record each layer's
/// activity penalty into it: the regularizer of the layer's output, divided by the batch size (as
/// Keras 3.15's `Layer.__call__`). Without one (predict), nothing is computed.
class ActivityLosses {
 public:
  /// Becomes this thread's collector (the one before it comes back at destruction).
  ActivityLosses();
  ~ActivityLosses();
  ActivityLosses(const ActivityLosses&) = delete;
  ActivityLosses& operator=(const ActivityLosses&) = delete;

  /// Records `layer`'s penalty on `output` when a collector exists and the layer has an
  /// activity regularizer.
  static void record(const Layer& layer, const torch::Tensor& output);
  /// As `record`, for the layer's output given without its final activation (the logits).
  static void record_logits(const Layer& layer, const torch::Tensor& logits);

  /// `loss` plus every penalty recorded; `loss` itself when there is none.
  torch::Tensor add_to(const torch::Tensor& loss) const;

 private:
  std::vector<torch::Tensor> losses_;
  ActivityLosses* previous_;
};

}  // namespace tkeras::layers::detail
