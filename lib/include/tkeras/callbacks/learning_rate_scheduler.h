// LearningRateScheduler: sets the learning rate at the start of each epoch from a function.
#pragma once

#include <functional>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// Sets the learning rate at the start of each epoch to `schedule(epoch, current_rate)`, as
/// Keras's `LearningRateScheduler`; the epoch logs gain `learning_rate`.
///
/// Example:
/// ```
/// auto halve_after_5 = std::make_shared<tkeras::callbacks::LearningRateScheduler>(
///     [](int epoch, double lr) { return epoch < 5 ? lr : lr * 0.5; });
/// ```
class LearningRateScheduler : public Callback {
 public:
  /// A scheduler calling `schedule`; `verbose` 1 says each change. Throws `tkeras::Error` for an
  /// empty function.
  explicit LearningRateScheduler(std::function<double(int epoch, double learning_rate)> schedule, int verbose = 0);

  /// Throws `tkeras::Error` when the schedule returns a negative or non-finite rate (0 is allowed, as in Keras).
  void on_epoch_begin(int epoch, const Logs& logs) override;
  bool logs_learning_rate() const override { return true; }

 private:
  std::function<double(int, double)> schedule_;
  int verbose_;
};

}  // namespace tkeras::callbacks
