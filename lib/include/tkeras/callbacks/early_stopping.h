// EarlyStopping: stops training when a monitored value has stopped improving.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/callbacks/monitor_callback.h"

namespace tkeras::callbacks {

/// EarlyStopping's options: Keras's keyword arguments and defaults, in the order.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  ///< The log value to watch. Default: "val_loss".
  double min_delta = 0.0;            ///< Smallest change that counts as an improvement. Default: 0.
  int patience = 0;                  ///< Epochs without improvement before stopping. Default: 0.
  /// "min", "max", or "auto" (max for accuracy-like metrics, min for losses and errors).
  /// Default: "auto".
  std::string mode = "auto";
  /// A value the monitor must beat; epochs that do not beat it count towards patience.
  /// Default: none.
  std::optional<double> baseline;
  /// At the end of training, restore the weights of the best epoch (also when training ran to
  /// the last epoch). Default: false.
  bool restore_best_weights = false;
  int start_from_epoch = 0;  ///< Epochs to wait before watching at all. Default: 0.
  int verbose = 0;           ///< 1: say when it stops and restores. Default: 0.
};

/// Stops training when the monitored value has not improved for `patience` epochs, as Keras's
/// `EarlyStopping`. A monitor missing from the logs is a warning listing the available keys.
///
/// Example:
/// ```
/// auto stop = std::make_shared<tkeras::callbacks::EarlyStopping>(
///     tkeras::callbacks::EarlyStoppingOptions{.patience = 3, .restore_best_weights = true});
/// model.fit(x, y, {.epochs = 100, .validation_split = 0.1, .callbacks = {stop}});
/// ```
class EarlyStopping : public MonitorCallback {
 public:
  /// Throws `tkeras::Error` for an unknown mode, a monitor whose direction "auto" cannot tell,
  /// or a negative patience or start_from_epoch.
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  /// The epoch (from 0) at which training was stopped; 0 when it was not.
  int stopped_epoch() const { return stopped_epoch_; }
  /// The epoch with the best monitored value so far.
  int best_epoch() const { return best_epoch_; }
  /// The best monitored value so far (infinite, the wrong way, before the first).
  double best() const;
  /// Epochs since the last improvement.
  int wait() const { return wait_; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

 private:
  EarlyStoppingOptions options_;
  int wait_ = 0;
  int stopped_epoch_ = 0;
  int best_epoch_ = 0;
  std::optional<double> best_;
  std::vector<torch::Tensor> best_weights_;
};

}  // namespace tkeras::callbacks
