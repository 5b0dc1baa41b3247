// Named tensors to and from safetensors files (internal).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace tkeras::io {

/// Tensors by name, in the order they were written or read.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// A safetensors file's contents.
struct SafetensorsFile {
  NamedTensors tensors;                         ///< In the order of their bytes in the file.
  std::map<std::string, std::string> metadata;  ///< The header's `__metadata__`.
};

/// Writes `tensors` (copied to contiguous CPU memory, little-endian) and `metadata` to `path`
/// atomically. Throws `tkeras::Error` for a dtype safetensors cannot hold or a write failure.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata);

/// Reads a safetensors file, checking it fully first (see `parse_safetensors_header`); every
/// tensor is allocated only once its bytes are known to be in the file. Throws `tkeras::Error`
/// naming the file and the problem.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace tkeras::io
