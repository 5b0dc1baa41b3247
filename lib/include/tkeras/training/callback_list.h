// CallbackList: calls every callback of a run, and adds History and ProgbarLogger.
#pragma once

#include <memory>
#include <vector>

#include "tkeras/training/callback.h"
#include "tkeras/training/history.h"

namespace tkeras::callbacks {

/// The callbacks of one `fit`, `evaluate` or `predict` call, as Keras's `CallbackList`: each
/// hook is forwarded to every callback in order. With `add_history`, a `History` is appended
/// unless one was given; with `add_progbar`, a `ProgbarLogger` is added unless one was given.
class CallbackList {
 public:
  /// Options of a callback list.
  struct Options {
    bool add_history = false;  ///< Append a History. Default: false.
    bool add_progbar = false;  ///< Append a ProgbarLogger. Default: false.
  };

  /// A list of `callbacks` attached to `model` with `params`.
  CallbackList(std::vector<std::shared_ptr<Callback>> callbacks, Model& model, const Params& params, Options options);

  /// The History of this run (null without `add_history`).
  const std::shared_ptr<History>& history() const { return history_; }
  /// Whether some callback asked for batch logs at every batch.
  bool wants_batch_logs() const { return wants_batch_logs_; }
  /// Whether some callback asks for the logs of batch `batch`.
  bool wants_batch_logs_at(int64_t batch) const;
  /// Whether some callback asked for `learning_rate` in the epoch logs.
  bool logs_learning_rate() const { return logs_learning_rate_; }

  /// Calls every callback's `on_train_begin`, in order.
  void on_train_begin(const Logs& logs);
  /// Calls every callback's `on_train_end`, in order.
  void on_train_end(const Logs& logs);
  /// Calls every callback's `on_epoch_begin`, in order.
  void on_epoch_begin(int epoch, const Logs& logs);
  /// Calls every callback's `on_epoch_end`, in order.
  void on_epoch_end(int epoch, const Logs& logs);
  /// Calls every callback's `on_train_batch_begin`, in order.
  void on_train_batch_begin(int64_t batch, const Logs& logs);
  /// Calls every callback's `on_train_batch_end`, in order.
  void on_train_batch_end(int64_t batch, const Logs& logs);
  /// Calls every callback's `on_test_begin`, in order.
  void on_test_begin(const Logs& logs);
  /// Calls every callback's `on_test_end`, in order.
  void on_test_end(const Logs& logs);
  /// Calls every callback's `on_test_batch_begin`, in order.
  void on_test_batch_begin(int64_t batch, const Logs& logs);
  /// Calls every callback's `on_test_batch_end`, in order.
  void on_test_batch_end(int64_t batch, const Logs& logs);
  /// Calls every callback's `on_predict_begin`, in order.
  void on_predict_begin(const Logs& logs);
  /// Calls every callback's `on_predict_end`, in order.
  void on_predict_end(const Logs& logs);
  /// Calls every callback's `on_predict_batch_begin`, in order.
  void on_predict_batch_begin(int64_t batch, const Logs& logs);
  /// Calls every callback's `on_predict_batch_end`, in order.
  void on_predict_batch_end(int64_t batch, const Logs& logs);

 private:
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::shared_ptr<History> history_;
  bool wants_batch_logs_ = false;
  bool logs_learning_rate_ = false;
};

}  // namespace tkeras::callbacks
