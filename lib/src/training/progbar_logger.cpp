// ProgbarLogger: Keras's live bar on terminals and its one-line-per-epoch format elsewhere.
#include "tkeras/training/progbar_logger.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "distribute/joined.h"

namespace tkeras::callbacks {
namespace {

// Data-parallel, the bar redraws every this many batches (see wants_batch_logs_at).
constexpr int64_t kJobRedraw = 10;

constexpr int kBarWidth = 20;

// Keras prints values with 4 decimals, switching to scientific notation for tiny ones.
std::string format_log_value(double value) {
  return std::abs(value) > 1e-3 || value == 0.0 ? fmt::format("{:.4f}", value) : fmt::format("{:.4e}", value);
}

// Keras's time per step: s, ms or us, whichever reads best.
std::string format_per_step(double seconds) {
  if (seconds >= 1.0) return fmt::format("{:.0f}s/step", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.0f}ms/step", seconds * 1e3);
  return fmt::format("{:.0f}us/step", seconds * 1e6);
}

// Keras's durations: 5s, 1:05, 1:01:05.
std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60);
  if (s >= 60) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string format_logs(const Logs& logs) {
  std::string text;
  for (const auto& [name, value] : logs) text += fmt::format(" - {}: {}", name, format_log_value(value));
  return text;
}

int terminal_columns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int parsed = std::atoi(columns);
    if (parsed > 0) return parsed;
  }
  return 80;
}

// Cuts `line` to `columns` visible characters (the bar's characters are 3 bytes, 1 column; the
// escape codes take none), so that a redraw never wraps onto a second line.
std::string fit_to(const std::string& line, int columns) {
  int visible = 0;
  bool escape = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (escape) {
      escape = c != 'm';
      continue;
    }
    if (c == 0x1B) {
      escape = true;
      continue;
    }
    if ((c & 0xC0) == 0x80) continue;
    if (++visible > columns) return line.substr(0, i) + "\x1b[0m";
  }
  return line;
}

}  // namespace

namespace {

// Data-parallel, the processes other than rank 0 print nothing: their bar writes here.
std::ostream& discarded() {
  static std::ostream sink(nullptr);  // no buffer: every write fails silently
  return sink;
}

}  // namespace

ProgbarLogger::ProgbarLogger(ProgbarLoggerOptions options)
    : out_(options.out != nullptr ? options.out : &std::cout),
      terminal_(options.terminal.value_or(options.out == nullptr && isatty(STDOUT_FILENO) != 0)),
      width_(options.width > 0 ? options.width : (terminal_ ? terminal_columns() : 80)),
      interval_(options.interval) {}

ProgbarLogger::ProgbarLogger(std::ostream& out) : ProgbarLogger(ProgbarLoggerOptions{.out = &out, .terminal = false}) {}

bool ProgbarLogger::live() const { return terminal_ && params().verbose == 1; }

double ProgbarLogger::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

int64_t ProgbarLogger::target() const { return params().steps > 0 ? params().steps : counted_; }

void ProgbarLogger::on_train_begin(const Logs& /*logs*/) {
  if (!distribute::detail::writes_files()) out_ = &discarded();
  in_fit_ = true;
  counted_ = 0;
}
void ProgbarLogger::on_train_end(const Logs& /*logs*/) { in_fit_ = false; }

void ProgbarLogger::on_epoch_begin(int epoch, const Logs& /*logs*/) {
  if (params().verbose == 0) return;
  seen_ = 0;
  *out_ << fmt::format("Epoch {}/{}\n", epoch + 1, params().epochs) << std::flush;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

bool ProgbarLogger::wants_batch_logs_at(int64_t batch) const {
  // Data-parallel, batch logs are summed over the processes, so all must ask for the same
  // batches: every kJobRedraw-th and the last, whatever the time or terminal.
  if (distribute::detail::in_job()) {
    return params().verbose == 1 && in_fit_ && !testing_ && ((batch + 1) % kJobRedraw == 0 || batch + 1 == target());
  }
  if (!live() || !in_fit_ || testing_) return false;
  // Values are read from the device only when a redraw is due: at most every `interval` seconds.
  return batch + 1 == target() ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - last_draw_).count() >= interval_;
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) {
  seen_ = batch + 1;
  if (live() && in_fit_ && !logs.empty() && wants_batch_logs_at(batch)) draw_bar(batch + 1, logs, false);
}

void ProgbarLogger::on_epoch_end(int /*epoch*/, const Logs& logs) {
  if (params().verbose == 0) return;
  if (target() == 0) counted_ = seen_;
  if (live()) {
    draw_bar(target(), logs, true);
  } else {
    print_line(logs);
  }
}

void ProgbarLogger::on_test_begin(const Logs& /*logs*/) {
  if (!distribute::detail::writes_files()) out_ = &discarded();
  testing_ = true;
  if (in_fit_) return;
  start_ = std::chrono::steady_clock::now();
  seen_ = 0;
}

void ProgbarLogger::on_test_batch_end(int64_t batch, const Logs& /*logs*/) {
  if (!in_fit_) seen_ = batch + 1;
}

void ProgbarLogger::on_test_end(const Logs& logs) {
  testing_ = false;
  if (!in_fit_ && params().verbose != 0) print_line(logs);
}

void ProgbarLogger::on_predict_begin(const Logs& /*logs*/) {
  if (!distribute::detail::writes_files()) out_ = &discarded();
  start_ = std::chrono::steady_clock::now();
  seen_ = 0;
}

void ProgbarLogger::on_predict_batch_end(int64_t batch, const Logs& /*logs*/) { seen_ = batch + 1; }

void ProgbarLogger::on_predict_end(const Logs& logs) {
  if (params().verbose != 0) print_line(logs);
}

void ProgbarLogger::draw_bar(int64_t done, const Logs& logs, bool final) {
  const double seconds = elapsed();
  const double per_step = done > 0 ? seconds / static_cast<double>(done) : 0.0;
  if (target() == 0) {
    // Keras's bar for data of unknown length: the steps so far, the time, no bar.
    const std::string line = fmt::format("{:>7}/Unknown {} {}{}", done, format_duration(seconds),
                                         format_per_step(per_step), format_logs(logs));
    *out_ << "\r\x1b[K" << (final ? line + "\n" : fit_to(line, width_ - 1)) << std::flush;
    last_draw_ = std::chrono::steady_clock::now();
    return;
  }
  const int64_t steps = target();
  const int filled = static_cast<int>(kBarWidth * done / steps);
  std::string bar;
  for (int i = 0; i < kBarWidth; ++i) bar += "━";
  // Keras's colours: the done part bold, the rest dim.
  const size_t split = static_cast<size_t>(filled) * std::string("━").size();
  const std::string drawn = "\x1b[1m" + bar.substr(0, split) + "\x1b[0m\x1b[2m" + bar.substr(split) + "\x1b[0m";
  const int digits = static_cast<int>(std::to_string(steps).size());
  const std::string timing = final ? fmt::format("{} {}", format_duration(seconds), format_per_step(per_step))
                                   : fmt::format("{} {}", format_duration(per_step * static_cast<double>(steps - done)),
                                                 format_per_step(per_step));
  const std::string line = fmt::format("{:>{}}/{} {} {}{}", done, digits, steps, drawn, timing, format_logs(logs));
  // Redraws are cut to the terminal's width, since a wrapped line cannot be redrawn in place; the
  // final line ends with a newline and is printed whole.
  *out_ << "\r\x1b[K" << (final ? line + "\n" : fit_to(line, width_ - 1)) << std::flush;
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgbarLogger::print_line(const Logs& logs) {
  const double seconds = elapsed();
  // In fit: the epoch's steps; in evaluate and predict: the run's, or those done if not known.
  const int64_t steps = target() > 0 ? target() : seen_;
  *out_ << fmt::format("{}/{} - {:.0f}s - {}{}\n", steps, steps, std::floor(seconds),
                       format_per_step(steps > 0 ? seconds / static_cast<double>(steps) : seconds), format_logs(logs))
        << std::flush;
}

}  // namespace tkeras::callbacks
