// CSVLogger: one row per epoch in a CSV file, flushed as each epoch ends.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// CSVLogger's options, Keras's keyword arguments and defaults.
struct CSVLoggerOptions {
  char separator = ',';  ///< Between fields. Default: ','.
  bool append = false;   ///< Append to an existing file (no second header) instead of overwriting. Default: false.
};

/// Writes `epoch` and every epoch log to a CSV file, as Keras's `CSVLogger`: the header comes
/// from the first epoch's (sorted) keys; a key missing later is written as `NA`. Each row is
/// flushed when its epoch ends, so a crash loses at most the epoch in progress. In a
/// data-parallel job (`DataParallel`) only rank 0 writes.
class CSVLogger : public Callback {
 public:
  /// Logs to `path`. Throws `tkeras::Error` when training starts if the file cannot be opened.
  explicit CSVLogger(std::filesystem::path path, CSVLoggerOptions options = {});

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

 private:
  std::filesystem::path path_;
  CSVLoggerOptions options_;
  std::ofstream file_;
  std::vector<std::string> keys_;
  bool write_header_ = true;
};

}  // namespace tkeras::callbacks
