// ReduceLROnPlateau: lowers the learning rate when a monitored value stops improving.
#pragma once

#include <optional>
#include <string>

#include "tkeras/callbacks/monitor_callback.h"

namespace tkeras::callbacks {

/// ReduceLROnPlateau's options: Keras's keyword arguments and defaults, in the order.
struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";  ///< The log value to watch. Default: "val_loss".
  double factor = 0.1;               ///< new rate = rate * factor, in (0, 1). Default: 0.1.
  int patience = 10;                 ///< Epochs without improvement before reducing. Default: 10.
  /// "min", "max", or "auto" (max for accuracy-like metrics, min for losses and errors).
  /// Default: "auto".
  std::string mode = "auto";
  double min_delta = 1e-4;  ///< Smallest change that counts as an improvement. Default: 1e-4.
  int cooldown = 0;         ///< Epochs to wait after a reduction before watching again. Default: 0.
  double min_lr = 0.0;      ///< The rate never goes below this. Default: 0.
  int verbose = 0;          ///< 1: say when the rate is reduced. Default: 0.
};

/// Multiplies the learning rate by `factor` when the monitored value has not improved for
/// `patience` epochs, as Keras's `ReduceLROnPlateau`. The optimizer's rate changes in place
/// (its state is kept), and the epoch logs gain `learning_rate`, the rate the epoch used.
class ReduceLROnPlateau : public MonitorCallback {
 public:
  /// Throws `tkeras::Error` for a factor outside (0, 1), an unknown mode, a monitor whose
  /// direction "auto" cannot tell, or negative patience, cooldown or min_lr.
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  bool logs_learning_rate() const override { return true; }

 private:
  ReduceLROnPlateauOptions options_;
  std::optional<double> best_;
  int wait_ = 0;
  int cooldown_counter_ = 0;
};

}  // namespace tkeras::callbacks
