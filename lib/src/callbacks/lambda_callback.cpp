// LambdaCallback: forwards each hook to its function when one was given.
#include "tkeras/callbacks/lambda_callback.h"

namespace tkeras::callbacks {
namespace {

template <typename Function, typename... Args>
void call_if_set(const Function& function, Args&&... args) {
  if (function) function(std::forward<Args>(args)...);
}

}  // namespace

LambdaCallback::LambdaCallback(LambdaCallbackOptions functions) : functions_(std::move(functions)) {}

void LambdaCallback::on_train_begin(const Logs& logs) { call_if_set(functions_.on_train_begin, logs); }
void LambdaCallback::on_train_end(const Logs& logs) { call_if_set(functions_.on_train_end, logs); }
void LambdaCallback::on_epoch_begin(int epoch, const Logs& logs) {
  call_if_set(functions_.on_epoch_begin, epoch, logs);
}
void LambdaCallback::on_epoch_end(int epoch, const Logs& logs) { call_if_set(functions_.on_epoch_end, epoch, logs); }
void LambdaCallback::on_train_batch_begin(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_train_batch_begin, batch, logs);
}
void LambdaCallback::on_train_batch_end(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_train_batch_end, batch, logs);
}
void LambdaCallback::on_test_begin(const Logs& logs) { call_if_set(functions_.on_test_begin, logs); }
void LambdaCallback::on_test_end(const Logs& logs) { call_if_set(functions_.on_test_end, logs); }
void LambdaCallback::on_test_batch_begin(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_test_batch_begin, batch, logs);
}
void LambdaCallback::on_test_batch_end(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_test_batch_end, batch, logs);
}
void LambdaCallback::on_predict_begin(const Logs& logs) { call_if_set(functions_.on_predict_begin, logs); }
void LambdaCallback::on_predict_end(const Logs& logs) { call_if_set(functions_.on_predict_end, logs); }
void LambdaCallback::on_predict_batch_begin(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_predict_batch_begin, batch, logs);
}
void LambdaCallback::on_predict_batch_end(int64_t batch, const Logs& logs) {
  call_if_set(functions_.on_predict_batch_end, batch, logs);
}

bool LambdaCallback::wants_batch_logs() const {
  return functions_.on_train_batch_begin || functions_.on_train_batch_end || functions_.on_test_batch_begin ||
         functions_.on_test_batch_end;
}

}  // namespace tkeras::callbacks
