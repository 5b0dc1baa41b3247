// ProgbarLogger: the progress lines fit, evaluate and predict print.
#pragma once

#include <chrono>
#include <iosfwd>

#include "tkeras/callbacks/callback.h"

namespace tkeras::callbacks {

/// Prints training progress, as Keras's `ProgbarLogger`; `fit`, `evaluate` and `predict` add
/// one when `verbose` is not 0.
///
/// Per epoch it prints `Epoch 3/10` and then one line in Keras's format:
/// `250/250 - 1s - 3ms/step - accuracy: 0.9312 - loss: 0.2290 - val_accuracy: ... - val_loss: ...`.
/// `evaluate` and `predict` print one such line at their end. Values are read from the logs,
/// never from the device, so it adds no sync.
class ProgbarLogger : public Callback {
 public:
  /// A logger writing to `out`. Default: standard output.
  explicit ProgbarLogger(std::ostream& out);
  ProgbarLogger();

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  void print_line(const Logs& logs);

  std::ostream* out_;
  bool in_fit_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tkeras::callbacks
