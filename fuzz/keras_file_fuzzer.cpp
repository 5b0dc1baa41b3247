// Fuzz target: Keras's model files (.keras) as load_model reads them: libzip opening any bytes and
// tkeras's checks of the archive, then config.json's layers and options, compile settings, assets,
// and the weights and optimizer variables against the model built from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "saving/model_file.h"
#include "tkeras/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)tkeras::saving::detail::ModelFile::load_keras(std::string_view(reinterpret_cast<const char*>(data), size),
                                                        "fuzz", {.device = "cpu"});
  } catch (const tkeras::Error&) {
  }
  return 0;
}
