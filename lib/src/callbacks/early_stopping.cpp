// EarlyStopping with Keras's semantics: patience, min_delta, baseline, restoring the best weights.
#include "tkeras/callbacks/early_stopping.h"

#include <cmath>
#include <iostream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "callbacks/monitor.h"
#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), upwards_(improves_upwards("EarlyStopping", options_.monitor, options_.mode)) {
  if (options_.patience < 0) {
    throw Error(fmt::format("EarlyStopping: expected patience >= 0, received {}", options_.patience));
  }
  if (options_.start_from_epoch < 0) {
    throw Error(fmt::format("EarlyStopping: expected start_from_epoch >= 0, received {}", options_.start_from_epoch));
  }
  options_.min_delta = std::abs(options_.min_delta);
}

bool EarlyStopping::is_improvement(double value, double reference) const {
  return upwards_ ? value - options_.min_delta > reference : value + options_.min_delta < reference;
}

void EarlyStopping::on_train_begin(const Logs& /*logs*/) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_ = upwards_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  const auto found = logs.find(options_.monitor);
  if (found == logs.end()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : logs) keys.push_back(key);
    std::cerr << fmt::format(
        "EarlyStopping: warning: early stopping conditioned on metric \"{}\" which is not available. Available metrics "
        "are: {}\n",
        options_.monitor, fmt::join(keys, ","));
    return;
  }
  if (epoch < options_.start_from_epoch) return;
  const double current = found->second;
  // As Keras: before any improvement, the current weights are the best ones.
  if (options_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = model().get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (is_improvement(current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    // Only a value that also beats the baseline restarts the wait.
    if (!options_.baseline || is_improvement(current, *options_.baseline)) wait_ = 0;
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
