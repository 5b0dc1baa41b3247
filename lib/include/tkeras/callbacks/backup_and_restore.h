// BackupAndRestore: fault-tolerant training, as Keras's BackupAndRestore.
#pragma once

#include <string>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// BackupAndRestore's options: Keras's keyword arguments and defaults.
struct BackupAndRestoreOptions {
  /// The directory that holds the backup (`latest.tkeras`); created when missing. Required.
  std::string backup_dir;
  /// Remove the backup when `fit` ends normally (also after an early stop). Default: true.
  bool delete_checkpoint = true;
};

/// Makes `fit` survive the process being killed, as Keras's `BackupAndRestore`: after every epoch
/// it saves the model's weights, the optimizer's state (Adam's moments and step count), the
/// number of epochs done and the random generator's state to `backup_dir/latest.tkeras`
/// (atomically: a kill while saving leaves the previous backup whole). When `fit` starts and a
/// backup exists, it is restored and training goes on from the next epoch; a run resumed this way
/// on the CPU, with the same data and seed, ends with the same weights as one never interrupted.
/// After `fit` ends normally the backup is removed. The backup holds what training changes, not
/// the architecture: run the same program again (the model must be built and compiled the same
/// way). In a data-parallel job (`DataParallel`) rank 0 writes and reads the backup, and `fit`
/// gives what it restored to every process.
///
/// Example:
/// ```
/// auto backup = std::make_shared<tkeras::callbacks::BackupAndRestore>(
///     tkeras::callbacks::BackupAndRestoreOptions{.backup_dir = "/tmp/backup"});
/// model.fit(x, y, {.epochs = 20, .callbacks = {backup}});  // run again after a crash: it resumes
/// ```
class BackupAndRestore : public Callback {
 public:
  /// Throws `tkeras::Error` for an empty `backup_dir`.
  explicit BackupAndRestore(BackupAndRestoreOptions options);

  /// The backup file: `backup_dir/latest.tkeras`.
  std::string backup_path() const;
  /// The epoch (from 0) the last `fit` resumed at from a backup; -1 when it started afresh.
  int resumed_epoch() const { return resumed_epoch_; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

 private:
  BackupAndRestoreOptions options_;
  int resumed_epoch_ = -1;
};

}  // namespace tkeras::callbacks
