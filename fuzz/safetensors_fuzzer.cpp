// libFuzzer target: any bytes as a safetensors file must parse or raise tkeras::Error, never
// crash, hang or allocate without bound. It drives the header parser and checker, which decide
// everything the loader then reads: once they accept a file, every tensor's bytes are known to
// lie inside it. (The parser is LibTorch-free, so the target builds and runs fast.)
#include <cstdint>
#include <string_view>

#include "io/safetensors_header.h"
#include "tkeras/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  try {
    const std::string_view prefix = file.substr(0, 8);
    const uint64_t length = tkeras::io::safetensors_header_length(prefix, size, "fuzz input");
    (void)tkeras::io::parse_safetensors_header(prefix, file.substr(8, length), size, "fuzz input");
  } catch (const tkeras::Error&) {
  }
  return 0;
}
