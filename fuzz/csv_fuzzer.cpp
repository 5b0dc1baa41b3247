// libFuzzer target: any bytes as a CSV file must read or raise tkeras::Error, never crash, hang or
// allocate without bound.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tkeras/core/error.h"
#include "tkeras/data/read_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tkeras-fuzz-csv-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    // With and without a label column named as the seed files name theirs.
    (void)tkeras::data::read_csv(path, {.label_column = size % 2 == 0 ? "label" : ""});
  } catch (const tkeras::Error&) {
  }
  return 0;
}
