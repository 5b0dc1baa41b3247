// CSVLogger: Keras's per-epoch CSV rows.
#include "tkeras/callbacks/csv_logger.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "distribute/joined.h"
#include "tkeras/core/error.h"

namespace tkeras::callbacks {

CSVLogger::CSVLogger(std::filesystem::path path, CSVLoggerOptions options)
    : path_(std::move(path)), options_(options) {}

void CSVLogger::on_train_begin(const Logs& /*logs*/) {
  // Data-parallel: every process has the same logs; rank 0 writes them.
  if (!distribute::detail::writes_files()) return;
  std::error_code ec;
  // As Keras: appending to a file that already has content adds rows without a second header.
  write_header_ = !(options_.append && std::filesystem::file_size(path_, ec) > 0 && !ec);
  keys_.clear();
  file_.close();
  file_.open(path_, options_.append ? std::ios::app : std::ios::trunc);
  if (!file_) throw Error(fmt::format("CSVLogger: cannot open \"{}\" for writing", path_.string()));
}

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
  if (!file_.is_open()) return;
  if (keys_.empty()) {
    for (const auto& [key, value] : logs) keys_.push_back(key);
  }
  const std::string separator(1, options_.separator);
  if (write_header_) {
    file_ << "epoch" << (keys_.empty() ? "" : separator) << fmt::format("{}", fmt::join(keys_, separator)) << '\n';
    write_header_ = false;
  }
  file_ << epoch;
  for (const std::string& key : keys_) {
    const auto value = logs.find(key);
    file_ << separator << (value == logs.end() ? std::string("NA") : fmt::format("{}", value->second));
  }
  file_ << '\n' << std::flush;
}

void CSVLogger::on_train_end(const Logs& /*logs*/) { file_.close(); }

}  // namespace tkeras::callbacks
