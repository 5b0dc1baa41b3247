// CallbackList: forwarding every hook, in order.
#include "tkeras/training/callback_list.h"

#include "tkeras/training/progbar_logger.h"

namespace tkeras::callbacks {

CallbackList::CallbackList(std::vector<std::shared_ptr<Callback>> callbacks, Model& model, const Params& params,
                           Options options)
    : callbacks_(std::move(callbacks)) {
  std::erase(callbacks_, nullptr);
  bool has_progbar = false;
  for (const auto& callback : callbacks_) {
    if (auto history = std::dynamic_pointer_cast<History>(callback)) history_ = history;
    if (std::dynamic_pointer_cast<ProgbarLogger>(callback)) has_progbar = true;
  }
  // As Keras 3: the user's callbacks first, then History, then the progress bar.
  if (options.add_history && !history_) {
    history_ = std::make_shared<History>();
    callbacks_.push_back(history_);
  }
  if (options.add_progbar && !has_progbar) callbacks_.push_back(std::make_shared<ProgbarLogger>());
  for (const auto& callback : callbacks_) {
    callback->set_model(model);
    callback->set_params(params);
    wants_batch_logs_ = wants_batch_logs_ || callback->wants_batch_logs();
    logs_learning_rate_ = logs_learning_rate_ || callback->logs_learning_rate();
  }
}

bool CallbackList::wants_batch_logs_at(int64_t batch) const {
  if (wants_batch_logs_) return true;
  for (const auto& callback : callbacks_) {
    if (callback->wants_batch_logs_at(batch)) return true;
  }
  return false;
}

void CallbackList::on_train_begin(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_train_begin(logs);
}
void CallbackList::on_train_end(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_train_end(logs);
}
void CallbackList::on_epoch_begin(int epoch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_epoch_begin(epoch, logs);
}
void CallbackList::on_epoch_end(int epoch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_epoch_end(epoch, logs);
}
void CallbackList::on_train_batch_begin(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_train_batch_begin(batch, logs);
}
void CallbackList::on_train_batch_end(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_train_batch_end(batch, logs);
}
void CallbackList::on_test_begin(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_test_begin(logs);
}
void CallbackList::on_test_end(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_test_end(logs);
}
void CallbackList::on_test_batch_begin(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_test_batch_begin(batch, logs);
}
void CallbackList::on_test_batch_end(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_test_batch_end(batch, logs);
}
void CallbackList::on_predict_begin(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_predict_begin(logs);
}
void CallbackList::on_predict_end(const Logs& logs) {
  for (const auto& c : callbacks_) c->on_predict_end(logs);
}
void CallbackList::on_predict_batch_begin(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_predict_batch_begin(batch, logs);
}
void CallbackList::on_predict_batch_end(int64_t batch, const Logs& logs) {
  for (const auto& c : callbacks_) c->on_predict_batch_end(batch, logs);
}

}  // namespace tkeras::callbacks
