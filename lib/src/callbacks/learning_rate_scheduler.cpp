// LearningRateScheduler: the schedule applied at each epoch's start.
#include "tkeras/callbacks/learning_rate_scheduler.h"

#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace tkeras::callbacks {

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  if (!schedule_) throw Error("LearningRateScheduler: expected a schedule function, received an empty one");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs& /*logs*/) {
  const double rate = schedule_(epoch, model().learning_rate());
  // 0 is a rate, as in Keras: cosine decay and other schedules end there.
  if (!(std::isfinite(rate) && rate >= 0.0)) {
    throw Error(fmt::format(
        "LearningRateScheduler: expected the schedule to return a finite rate >= 0, received {} at epoch {}", rate,
        epoch));
  }
  model().set_learning_rate(rate);
  if (verbose_ > 0) {
    std::cout << fmt::format("Epoch {}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1, rate);
  }
}

}  // namespace tkeras::callbacks
