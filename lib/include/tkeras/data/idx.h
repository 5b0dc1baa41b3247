// IDX: the file format of MNIST and Fashion-MNIST, read into tensors.
#pragma once

#include <filesystem>

#include <torch/types.h>

namespace tkeras::datasets {

/// Reads one IDX file (plain or gzip-compressed) into a tensor of its shape and type.
///
/// The IDX format: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
/// 0x0D float32, 0x0E float64), the number of dimensions, each dimension as a big-endian
/// 32-bit integer, then the values, big-endian. MNIST's images are `[N, 28, 28]` uint8 and its
/// labels `[N]` uint8.
///
/// Throws `tkeras::Error` naming the path for a missing or unreadable file, a wrong magic
/// number, a header cut short, and data shorter or longer than the header declares. Memory
/// grows only with the data actually read, so a lying header cannot make it allocate without
/// bound.
///
/// Example:
/// ```
/// torch::Tensor labels = tkeras::datasets::load_idx("t10k-labels-idx1-ubyte.gz");
/// ```
torch::Tensor load_idx(const std::filesystem::path& path);

}  // namespace tkeras::datasets
