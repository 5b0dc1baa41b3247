// History: the record of every epoch's logs that fit returns.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tkeras/training/callback.h"

namespace tkeras {

/// The per-epoch record of a `fit`, as Keras's `History`: `fit` always adds one and returns it.
///
/// Example:
/// ```
/// tkeras::History history = model.fit(x, y, {.epochs = 5, .validation_split = 0.1});
/// history.history["val_loss"];  // one value per epoch: watch it to spot overfitting
/// history.epoch;                // the epochs that ran, from 0
/// ```
class History : public callbacks::Callback {
 public:
  /// Every log key (`loss`, `accuracy`, `val_loss`...) with one value per epoch run.
  std::map<std::string, std::vector<double>> history;
  /// The epochs that ran, counting from 0 (from `initial_epoch` when given).
  std::vector<int> epoch;

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
};

}  // namespace tkeras
