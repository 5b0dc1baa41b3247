// libFuzzer target: any bytes as a model file (`Model::save`, read by `load_model`) must be
// refused with tkeras::Error or accepted, never crash, hang or allocate without bound. It drives
// everything load_model decides before it allocates a weight: the safetensors header, the format
// checks, the architecture (each layer rebuilt by its own from_config and built on LibTorch's meta
// device, which gives every shape and weight size without memory), the weights compared with the
// file's tensors, and the compile settings. Once these accept a file, the model built from it
// holds exactly the file's tensors.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "saving/model_file.h"
#include "tkeras/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tkeras-fuzz-model-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    using tkeras::saving::detail::ModelFile;
    (void)ModelFile::check(ModelFile::read(path), path);
  } catch (const tkeras::Error&) {
  }
  return 0;
}
