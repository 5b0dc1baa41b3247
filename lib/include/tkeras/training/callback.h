// Callback: the base class of everything that watches or steers fit, evaluate and predict.
#pragma once

#include <cstdint>

#include "tkeras/core/logs.h"

namespace tkeras {
class Model;
}

namespace tkeras::callbacks {

/// What a callback is told about the run it watches, as Keras's `callback.params`.
struct Params {
  int epochs = 0;     ///< Epochs `fit` runs (the `epochs` option), 0 outside fit.
  int64_t steps = 0;  ///< Batches per epoch (or in the evaluate/predict run).
  int verbose = 0;    ///< The run's verbosity: 0 silent, 1 progress, 2 one line per epoch.
};

/// The base class of callbacks, as Keras's `keras.callbacks.Callback`: override the hooks
/// you need; every hook does nothing by default.
///
/// `fit` calls them in Keras's order: `on_train_begin`; per epoch `on_epoch_begin`, per batch
/// `on_train_batch_begin` / `on_train_batch_end`, then (with validation data)
/// `on_test_begin`, the test batch hooks and `on_test_end`, then `on_epoch_end`; and at the
/// end `on_train_end`, which always runs, also after `stop_training`. `epoch` and `batch`
/// count from 0.
///
/// Epoch logs hold `loss`, each metric, and `val_`-prefixed validation values. To keep
/// training free of per-batch device syncs, batch hooks receive empty logs unless some
/// callback of the run returns true from `wants_batch_logs()`; then they receive the
/// running means of the epoch so far, as in Keras.
///
/// A callback resets what it tracks in `on_train_begin`, so one instance serves several
/// `fit` calls.
///
/// Example:
/// ```
/// class StopAtAccuracy : public tkeras::callbacks::Callback {
///  public:
///   void on_epoch_end(int epoch, const tkeras::Logs& logs) override {
///     if (logs.at("accuracy") >= 0.99) model().stop_training = true;
///   }
/// };
/// ```
class Callback {
 public:
  virtual ~Callback() = default;

  /// Called once when `fit` starts.
  virtual void on_train_begin(const Logs& /*logs*/) {}
  /// Called once when `fit` ends, with the last epoch's logs.
  virtual void on_train_end(const Logs& /*logs*/) {}
  /// Called at the start of each epoch.
  virtual void on_epoch_begin(int /*epoch*/, const Logs& /*logs*/) {}
  /// Called at the end of each epoch with its training and validation logs.
  virtual void on_epoch_end(int /*epoch*/, const Logs& /*logs*/) {}
  /// Called before each training batch.
  virtual void on_train_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  /// Called after each training batch.
  virtual void on_train_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}
  /// Called when evaluation (or fit's validation) starts.
  virtual void on_test_begin(const Logs& /*logs*/) {}
  /// Called when evaluation (or fit's validation) ends, with its logs.
  virtual void on_test_end(const Logs& /*logs*/) {}
  /// Called before each evaluation batch.
  virtual void on_test_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  /// Called after each evaluation batch.
  virtual void on_test_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}
  /// Called when `predict` starts.
  virtual void on_predict_begin(const Logs& /*logs*/) {}
  /// Called when `predict` ends.
  virtual void on_predict_end(const Logs& /*logs*/) {}
  /// Called before each prediction batch.
  virtual void on_predict_batch_begin(int64_t /*batch*/, const Logs& /*logs*/) {}
  /// Called after each prediction batch.
  virtual void on_predict_batch_end(int64_t /*batch*/, const Logs& /*logs*/) {}

  /// Whether batch hooks should receive running loss and metric values. Each such batch costs
  /// a device sync, so the default is false and batch hooks receive empty logs.
  virtual bool wants_batch_logs() const { return false; }
  /// Whether batch `batch`'s hooks should receive running values, asked before each batch's
  /// end; a progress bar answers true only when a redraw is due. Default: `wants_batch_logs()`.
  virtual bool wants_batch_logs_at(int64_t /*batch*/) const { return wants_batch_logs(); }

  /// Whether `fit` should add the optimizer's `learning_rate` to the epoch logs, as Keras's
  /// learning-rate callbacks do. Default: false.
  virtual bool logs_learning_rate() const { return false; }

  /// The model being trained, evaluated or run. Throws `tkeras::Error` when the callback is
  /// not attached to a run.
  Model& model() const;
  /// What the callback is told about the run (epochs, steps, verbose).
  const Params& params() const { return params_; }

  /// Attaches the callback to `model`; `fit`, `evaluate` and `predict` call it.
  void set_model(Model& model) { model_ = &model; }
  /// Sets the run's parameters; `fit`, `evaluate` and `predict` call it.
  void set_params(const Params& params) { params_ = params; }

 private:
  Model* model_ = nullptr;
  Params params_;
};

}  // namespace tkeras::callbacks
