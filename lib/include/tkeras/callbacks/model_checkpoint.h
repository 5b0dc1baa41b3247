// ModelCheckpoint: saves the model (or its weights) during training, as Keras's ModelCheckpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "tkeras/callbacks/monitor_callback.h"

namespace tkeras::callbacks {

/// ModelCheckpoint's options: Keras's keyword arguments and defaults.
struct ModelCheckpointOptions {
  /// Where to save, with Keras's placeholders filled in at each save: `{epoch}` (from 1),
  /// `{batch}` (from 1, when saving every N batches) and any log key (`{val_loss}`), each with
  /// an optional Python-style format (`{epoch:02d}`, `{val_loss:.3f}`). Must end in `.tkeras`
  /// (a whole model, `Model::save`) or, with `save_weights_only`, in `.safetensors`
  /// (`Model::save_weights`). Missing directories are created. Required.
  std::string filepath;
  std::string monitor = "val_loss";  ///< The log value `save_best_only` compares. Default: "val_loss".
  int verbose = 0;                   ///< 1: say when and why it saves. Default: 0.
  /// Save only when `monitor` improves on the best value so far (with a fixed `filepath`, the
  /// file always holds the best model). When the logs lack `monitor` it warns and saves, as
  /// Keras 3 does. Default: false.
  bool save_best_only = false;
  bool save_weights_only = false;  ///< Save the weights only (safetensors). Default: false.
  /// "min", "max", or "auto" (max for accuracy-like metrics, min for losses and errors).
  /// Default: "auto".
  std::string mode = "auto";
  /// "epoch" (save after every epoch) or a number of batches between saves. Default: "epoch".
  std::variant<std::string, int64_t> save_freq = "epoch";
  /// With `save_best_only`, the value the monitor must beat for the first save. Default: none.
  std::optional<double> initial_value_threshold;
};

/// Saves the model during `fit`, as Keras's `ModelCheckpoint`: after every epoch (or every
/// `save_freq` batches), optionally only when the monitored value improved. Every file is
/// written atomically: a process killed while saving leaves the previous file whole. In a
/// data-parallel job (`DataParallel`) only rank 0 saves (every process holds the same model).
///
/// Example:
/// ```
/// auto checkpoint = std::make_shared<tkeras::callbacks::ModelCheckpoint>(tkeras::callbacks::ModelCheckpointOptions{
///     .filepath = "ckpt-{epoch:02d}-{val_loss:.3f}.tkeras", .save_best_only = true});
/// model.fit(x, y, {.epochs = 10, .validation_split = 0.1, .callbacks = {checkpoint}});
/// ```
class ModelCheckpoint : public MonitorCallback {
 public:
  /// Throws `tkeras::Error` for an empty filepath or one with the wrong ending, an unknown mode
  /// or save_freq, or a monitor whose direction "auto" cannot tell.
  explicit ModelCheckpoint(ModelCheckpointOptions options);

  /// The best monitored value so far (infinite, the wrong way, before the first;
  /// `initial_value_threshold` when given).
  double best() const;
  /// The path of the last file saved; empty before the first save.
  const std::string& last_saved() const { return last_saved_; }

  /// The file name for a save at `epoch` (from 0) and `batch` (from 0, or none at an epoch's
  /// end) with `logs`, as Keras's `filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)`.
  /// Throws `tkeras::Error` naming the placeholder when the logs lack it or its format does not
  /// fit the value.
  std::string file_path(int epoch, std::optional<int64_t> batch, const Logs& logs) const;

  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  bool wants_batch_logs_at(int64_t batch) const override;

 private:
  int64_t batches_to_add(int64_t batch) const;
  void save(int epoch, std::optional<int64_t> batch, const Logs& logs);

  ModelCheckpointOptions options_;
  std::optional<int64_t> every_batches_;
  std::optional<double> best_;
  int current_epoch_ = 0;
  int64_t last_batch_seen_ = 0;
  int64_t batches_since_saving_ = 0;
  std::string last_saved_;
};

}  // namespace tkeras::callbacks
