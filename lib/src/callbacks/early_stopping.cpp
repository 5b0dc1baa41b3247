// EarlyStopping with Keras's semantics: patience, min_delta, baseline, restoring the best weights.
#include "tkeras/callbacks/early_stopping.h"

#include <cmath>
#include <iostream>
#include <limits>

#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : MonitorCallback("EarlyStopping", options.monitor, options.mode, options.min_delta), options_(std::move(options)) {
  if (options_.patience < 0) {
    throw Error(fmt::format("EarlyStopping: expected patience >= 0, received {}", options_.patience));
  }
  if (options_.start_from_epoch < 0) {
    throw Error(fmt::format("EarlyStopping: expected start_from_epoch >= 0, received {}", options_.start_from_epoch));
  }
}

double EarlyStopping::best() const {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  return best_.value_or(improves_upwards() ? -kInfinity : kInfinity);
}

void EarlyStopping::on_train_begin(const Logs& /*logs*/) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_.reset();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  const std::optional<double> current = monitor_value(logs, "early stopping conditioned");
  if (!current || epoch < options_.start_from_epoch) return;
  // As Keras: before any improvement, the current weights are the best ones.
  if (options_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = model().get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (is_improvement(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    // Only a value that also beats the baseline restarts the wait.
    if (!options_.baseline || is_improvement(*current, options_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs& /*logs*/) {
  if (stopped_epoch_ > 0 && options_.verbose > 0)
    std::cout << fmt::format("Epoch {}: early stopping\n", stopped_epoch_ + 1);
  if (options_.restore_best_weights && !best_weights_.empty()) {
    if (options_.verbose > 0) {
      std::cout << fmt::format("Restoring model weights from the end of the best epoch: {}.\n", best_epoch_ + 1);
    }
    model().set_weights(best_weights_);
  }
}

}  // namespace tkeras::callbacks
