// Callback: the model accessor.
#include "tkeras/training/callback.h"

#include "tkeras/core/error.h"

namespace tkeras::callbacks {

Model& Callback::model() const {
  if (model_ == nullptr) {
    throw Error(
        "Callback::model(): expected a callback attached to a model by fit, evaluate or predict, received one "
        "that is not attached");
  }
  return *model_;
}

}  // namespace tkeras::callbacks
