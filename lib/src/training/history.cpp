// History: one value per epoch for every log key.
#include "tkeras/training/history.h"

namespace tkeras {

void History::on_train_begin(const Logs& /*logs*/) { epoch.clear(); }

void History::on_epoch_end(int epoch_index, const Logs& logs) {
  epoch.push_back(epoch_index);
  for (const auto& [name, value] : logs) history[name].push_back(value);
}

}  // namespace tkeras
