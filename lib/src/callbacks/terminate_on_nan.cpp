// TerminateOnNaN: the batch loss checked for NaN and infinity.
#include "tkeras/callbacks/terminate_on_nan.h"

#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "tkeras/models/model.h"

namespace tkeras::callbacks {

TerminateOnNaN::TerminateOnNaN(std::ostream& out) : out_(&out) {}
TerminateOnNaN::TerminateOnNaN() : TerminateOnNaN(std::cout) {}

void TerminateOnNaN::on_train_batch_end(int64_t batch, const Logs& logs) {
  const auto loss = logs.find("loss");
  if (loss != logs.end() && !std::isfinite(loss->second)) {
    *out_ << fmt::format("Batch {}: Invalid loss, terminating training\n", batch) << std::flush;
    model().stop_training = true;
  }
}

}  // namespace tkeras::callbacks
