// ReduceLROnPlateau with Keras's semantics: patience, min_delta, cooldown and min_lr.
#include "tkeras/callbacks/reduce_lr_on_plateau.h"

#include <iostream>

#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options)
    : MonitorCallback("ReduceLROnPlateau", options.monitor, options.mode, options.min_delta),
      options_(std::move(options)) {
  if (!(options_.factor > 0.0 && options_.factor < 1.0)) {
    throw Error(fmt::format("ReduceLROnPlateau: expected a factor in (0, 1), received {}", options_.factor));
  }
  if (options_.patience < 0 || options_.cooldown < 0 || options_.min_lr < 0.0) {
    throw Error(fmt::format("ReduceLROnPlateau: expected patience, cooldown and min_lr >= 0, received {}, {} and {}",
                            options_.patience, options_.cooldown, options_.min_lr));
  }
}

void ReduceLROnPlateau::on_train_begin(const Logs& /*logs*/) {
  best_.reset();
  wait_ = 0;
  cooldown_counter_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
  const std::optional<double> current = monitor_value(logs, "learning rate reduction is conditioned");
  if (!current) return;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (is_improvement(*current, best_)) {
    best_ = *current;
    wait_ = 0;
    return;
  }
  // As Keras: the cooldown is checked again after counting down, so its last epoch watches.
  if (cooldown_counter_ > 0) return;
  if (++wait_ < options_.patience) return;
  const double old_rate = model().learning_rate();
  // Keras compares in float32, so a rate already at min_lr is not "reduced" again.
  if (static_cast<float>(old_rate) > static_cast<float>(options_.min_lr)) {
    const double new_rate = std::max(old_rate * options_.factor, options_.min_lr);
    model().set_learning_rate(new_rate);
    if (options_.verbose > 0) {
      std::cout << fmt::format("Epoch {}: ReduceLROnPlateau reducing learning rate to {}.\n", epoch + 1, new_rate);
    }
    cooldown_counter_ = options_.cooldown;
    wait_ = 0;
  }
}

}  // namespace tkeras::callbacks
