// TerminateOnNaN: stops training as soon as the loss is NaN or infinite.
#pragma once

#include <iosfwd>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// Stops training when a batch's loss is NaN or infinite, and says so, as Keras's
/// `TerminateOnNaN`. It reads the loss after every batch, which costs one device sync per batch.
class TerminateOnNaN : public Callback {
 public:
  /// Reports to `out`. Default: standard output.
  explicit TerminateOnNaN(std::ostream& out);
  TerminateOnNaN();

  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  bool wants_batch_logs() const override { return true; }

 private:
  std::ostream* out_;
};

}  // namespace tkeras::callbacks
