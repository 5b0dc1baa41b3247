// Fuzz target: Keras's weights files (.weights.h5) read for a model, as load_weights reads them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "saving/keras_weights.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A Dense layer (layers/dense/vars) and a recurrent one (layers/lstm/cell/vars).
  static const auto model = [] {
    auto built = std::make_shared<tkeras::Sequential>(
        std::vector<layers::AnyLayer>{layers::Input({4, 3}), layers::LSTM(2), layers::Dense(1)});
    built->build({4, 3});
    return built;
  }();
  try {
    (void)tkeras::saving::detail::read_keras_weights(
        *model, std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const tkeras::Error&) {
  }
  return 0;
}
