// libFuzzer target: any bytes as an IDX file (plain or gzip) must load or raise tkeras::Error,
// never crash, hang or allocate without bound.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tkeras/core/error.h"
#include "tkeras/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tkeras-fuzz-idx-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    (void)tkeras::datasets::load_idx(path);
  } catch (const tkeras::Error&) {
  }
  return 0;
}
