// MonitorCallback: the base of the callbacks that watch one log value and test it for improvement.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// The base of callbacks that watch one log value, as Keras's `MonitorCallback`:
/// `EarlyStopping`, `ReduceLROnPlateau` and `ModelCheckpoint`. It knows which way the value
/// improves and by how much it must change to count.
class MonitorCallback : public Callback {
 public:
  /// The log value watched: `val_loss`, `accuracy`...
  const std::string& monitor() const { return monitor_; }
  /// Whether the value improves upwards: mode "max", or "auto" for accuracy-like values.
  bool improves_upwards() const { return upwards_; }
  /// Whether `value` improves on `reference` by more than `min_delta`, as Keras's
  /// `_is_improvement`: `value - min_delta > reference` upwards, `value + min_delta < reference`
  /// downwards; anything improves on no reference.
  bool is_improvement(double value, std::optional<double> reference) const;

 protected:
  /// Watches `monitor` in mode `mode`: "min", "max", or "auto", which infers the direction as
  /// Keras does (accuracy-like values go up; losses and errors go down). `callback` names the
  /// derived class in messages. `min_delta` counts as its absolute value. Throws `tkeras::Error`
  /// for an unknown mode, or for "auto" on a name whose direction is unknown, saying to pass
  /// mode "max" or "min".
  MonitorCallback(std::string callback, std::string monitor, std::string_view mode, double min_delta = 0.0);

  /// The watched value in `logs`, or none when it is missing, after Keras's warning on standard
  /// error.
  ///
  /// The warning reads `EarlyStopping: warning: early stopping conditioned on metric "val_loss"
  /// which is not available. Available metrics are: loss,accuracy`, where `what` is "early
  /// stopping conditioned".
  std::optional<double> monitor_value(const Logs& logs, std::string_view what) const;
  /// The derived callback's name, for messages.
  const std::string& callback_name() const { return callback_; }

 private:
  std::string callback_;
  std::string monitor_;
  bool upwards_;
  double min_delta_;
};

}  // namespace tkeras::callbacks
