// ProgbarLogger: Keras's progress bar on a terminal, one line per epoch elsewhere.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// ProgbarLogger's options.
struct ProgbarLoggerOptions {
  std::ostream* out = nullptr;   ///< Where to print. Default: standard output.
  std::optional<bool> terminal;  ///< Redraw a live bar in place. Default: whether `out` is stdout on a terminal.
  int width = 0;          ///< Terminal columns; redraws are cut to fit. Default: 0, from the terminal (80 if unknown).
  double interval = 0.2;  ///< Seconds between redraws (and device reads). Default: 0.2.
};

/// Prints training progress, as Keras's `ProgbarLogger`; `fit`, `evaluate` and `predict` add
/// one when `verbose` is not 0.
///
/// With `verbose` 1 on a terminal, each epoch draws Keras's bar, redrawn in place at most every
/// `interval` seconds: steps done of the total, the bar, the ETA and time per step, and the
/// running means of loss and metrics, which are read from the device only at those redraws.
/// The epoch ends with the final line, validation values included:
/// ` 250/250 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - accuracy: 0.9312 - loss: 0.2290 - val_loss: ...`.
/// With `verbose` 2, or when the output is not a terminal (CI, pipes, files), it prints one line
/// per epoch: `250/250 - 1s - 3ms/step - accuracy: 0.9312 - loss: 0.2290 - ...`. With 0, nothing.
///
/// When the number of steps is not known (a dataset of unknown length), the bar shows the steps
/// done as `37/Unknown` until the first epoch ends, and that epoch's count from then on, as Keras.
///
/// In a data-parallel job (`DataParallel`) only rank 0 prints, and the bar redraws every 10
/// batches (and at the last), whatever the time: its values are summed over the processes, so all
/// of them must ask for the same batches.
class ProgbarLogger : public Callback {
 public:
  /// A logger with `options`.
  explicit ProgbarLogger(ProgbarLoggerOptions options = {});
  /// A logger writing one line per epoch to `out` (no live bar).
  explicit ProgbarLogger(std::ostream& out);

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  bool wants_batch_logs_at(int64_t batch) const override;

 private:
  bool live() const;
  double elapsed() const;
  // The steps of an epoch or run: the run's, else those counted in the first epoch; 0 unknown.
  int64_t target() const;
  void print_line(const Logs& logs);
  void draw_bar(int64_t done, const Logs& logs, bool final);

  std::ostream* out_;
  bool terminal_;
  int width_;
  double interval_;
  bool in_fit_ = false;
  bool testing_ = false;
  int64_t seen_ = 0;     // steps done in this epoch (or evaluate/predict run)
  int64_t counted_ = 0;  // steps of the first epoch, when the run did not know them
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tkeras::callbacks
