// ProgbarLogger: Keras's one-line-per-epoch progress format.
#include "tkeras/callbacks/progbar_logger.h"

#include <cmath>
#include <iostream>

#include <fmt/format.h>

namespace tkeras::callbacks {
namespace {

// Keras prints values with 4 decimals, switching to scientific notation for tiny ones.
std::string format_value(double value) {
  return std::abs(value) > 1e-3 || value == 0.0 ? fmt::format("{:.4f}", value) : fmt::format("{:.4e}", value);
}

// Keras's time per step: s, ms or us, whichever reads best.
std::string format_per_step(double seconds) {
  if (seconds >= 1.0) return fmt::format("{:.0f}s/step", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.0f}ms/step", seconds * 1e3);
  return fmt::format("{:.0f}us/step", seconds * 1e6);
}

}  // namespace

ProgbarLogger::ProgbarLogger(std::ostream& out) : out_(&out) {}
ProgbarLogger::ProgbarLogger() : ProgbarLogger(std::cout) {}

void ProgbarLogger::on_train_begin(const Logs& /*logs*/) { in_fit_ = true; }
void ProgbarLogger::on_train_end(const Logs& /*logs*/) { in_fit_ = false; }

void ProgbarLogger::on_epoch_begin(int epoch, const Logs& /*logs*/) {
  if (params().verbose == 0) return;
  *out_ << fmt::format("Epoch {}/{}\n", epoch + 1, params().epochs) << std::flush;
  start_ = std::chrono::steady_clock::now();
}

void ProgbarLogger::on_epoch_end(int /*epoch*/, const Logs& logs) {
  if (params().verbose != 0) print_line(logs);
}

void ProgbarLogger::on_test_begin(const Logs& /*logs*/) {
  if (!in_fit_) start_ = std::chrono::steady_clock::now();
}

void ProgbarLogger::on_test_end(const Logs& logs) {
  if (!in_fit_ && params().verbose != 0) print_line(logs);
}

void ProgbarLogger::on_predict_begin(const Logs& /*logs*/) { start_ = std::chrono::steady_clock::now(); }

void ProgbarLogger::on_predict_end(const Logs& logs) {
  if (params().verbose != 0) print_line(logs);
}

void ProgbarLogger::print_line(const Logs& logs) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t steps = params().steps;
  std::string line = fmt::format("{}/{} - {:.0f}s - {}", steps, steps, std::floor(seconds),
                                 format_per_step(steps > 0 ? seconds / static_cast<double>(steps) : seconds));
  for (const auto& [name, value] : logs) line += fmt::format(" - {}: {}", name, format_value(value));
  *out_ << line << '\n' << std::flush;
}

}  // namespace tkeras::callbacks
