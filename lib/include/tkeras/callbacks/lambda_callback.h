// LambdaCallback: a callback made of functions, for one-off hooks without a class.
#pragma once

#include <functional>

#include "tkeras/training/callback.h"

namespace tkeras::callbacks {

/// The functions a `LambdaCallback` calls; any left empty is skipped. Keras's keyword
/// arguments, in Keras's order, then the remaining hooks.
struct LambdaCallbackOptions {
  std::function<void(int epoch, const Logs& logs)> on_epoch_begin;              ///< Default: none.
  std::function<void(int epoch, const Logs& logs)> on_epoch_end;                ///< Default: none.
  std::function<void(const Logs& logs)> on_train_begin;                         ///< Default: none.
  std::function<void(const Logs& logs)> on_train_end;                           ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_train_batch_begin;    ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_train_batch_end;      ///< Default: none.
  std::function<void(const Logs& logs)> on_test_begin;                          ///< Default: none.
  std::function<void(const Logs& logs)> on_test_end;                            ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_test_batch_begin;     ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_test_batch_end;       ///< Default: none.
  std::function<void(const Logs& logs)> on_predict_begin;                       ///< Default: none.
  std::function<void(const Logs& logs)> on_predict_end;                         ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_predict_batch_begin;  ///< Default: none.
  std::function<void(int64_t batch, const Logs& logs)> on_predict_batch_end;    ///< Default: none.
};

/// A callback that calls the given functions, as Keras's `LambdaCallback`. When a train or
/// test batch function is given, batch hooks receive the running logs (see
/// `Callback::wants_batch_logs`).
///
/// Example:
/// ```
/// auto print_loss = std::make_shared<tkeras::callbacks::LambdaCallback>(tkeras::callbacks::LambdaCallbackOptions{
///     .on_epoch_end = [](int epoch, const tkeras::Logs& logs) { fmt::print("{}: {}\n", epoch, logs.at("loss")); }});
/// ```
class LambdaCallback : public Callback {
 public:
  /// A callback calling `functions`.
  explicit LambdaCallback(LambdaCallbackOptions functions);

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_begin(int64_t batch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_test_batch_begin(int64_t batch, const Logs& logs) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  void on_predict_batch_begin(int64_t batch, const Logs& logs) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;
  bool wants_batch_logs() const override;

 private:
  LambdaCallbackOptions functions_;
};

}  // namespace tkeras::callbacks
