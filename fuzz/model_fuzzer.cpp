// libFuzzer target: any bytes as a model file (`Model::save`, read by `load_model`) must be
// refused with tkeras::Error or accepted, never crash, hang or allocate without bound. It drives
// everything load_model decides before it builds anything: the safetensors header, the format
// checks, the architecture (every layer's options and shapes, and its weight count, computed
// without allocating) and the compile settings. Once these accept a file, the model built from
// it holds exactly as many values as the file's tensors.
#include <cstdint>
#include <string_view>

#include "io/safetensors_header.h"
#include "models/model_config.h"
#include "tkeras/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  try {
    const std::string_view prefix = file.substr(0, 8);
    const uint64_t length = tkeras::io::safetensors_header_length(prefix, size, "fuzz input");
    const auto header = tkeras::io::parse_safetensors_header(prefix, file.substr(8, length), size, "fuzz input");
    const auto model_config = header.metadata.find("model_config");
    if (model_config != header.metadata.end()) {
      (void)tkeras::models::config::check_model_config(model_config->second, "fuzz input");
    }
    const auto compile_config = header.metadata.find("compile_config");
    if (compile_config != header.metadata.end()) {
      (void)tkeras::models::config::check_compile_config(compile_config->second, "fuzz input");
    }
  } catch (const tkeras::Error&) {
  }
  return 0;
}
