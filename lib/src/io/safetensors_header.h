// The safetensors format's header: parsed and checked without LibTorch, so that the fuzzer can
// drive it directly (internal).
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of JSON, and the
// tensors' bytes. The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin,
// end]} (offsets into the bytes after the header) and may hold "__metadata__", a map of strings.
// Specification: https://github.com/huggingface/safetensors#format
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tkeras::io {

/// One tensor's entry in a safetensors header.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;           ///< "F32", "F64", "I64", ...
  std::vector<int64_t> shape;  ///< Row-major; empty for a scalar.
  uint64_t begin = 0;          ///< Offset of the first byte in the data section.
  uint64_t end = 0;            ///< One past the last byte.
};

/// A parsed header: tensors in file order of their bytes, and the metadata.
struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  ///< Offset of the data section in the file: 8 + N.
};

/// The largest header accepted, as the reference implementation: 100,000,000 bytes.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

/// Bytes per element of a safetensors dtype, or 0 for a dtype this reader does not know.
uint64_t safetensors_dtype_size(std::string_view dtype);

/// Parses and checks a header. `prefix` is the file's first 8 bytes (or fewer, if the file is
/// shorter), `json` the N bytes after them, `file_size` the whole file's size; `path` names the
/// file in errors. Throws `tkeras::Error` for: a file shorter than 8 bytes, a header length
/// beyond the file or above the limit, JSON that is invalid or not an object, entries without a
/// known dtype, a shape of non-negative integers and two offsets, a byte count that does not
/// match the dtype and shape, and offsets that overlap, leave gaps or do not end where the file
/// does. Reads nothing else; allocates at most the header's size.
SafetensorsHeader parse_safetensors_header(std::string_view prefix, std::string_view json, uint64_t file_size,
                                           std::string_view path);

/// Reads the 8-byte header length from `prefix`. Throws `tkeras::Error` as above when it does
/// not fit in a file of `file_size` bytes.
uint64_t safetensors_header_length(std::string_view prefix, uint64_t file_size, std::string_view path);

/// Builds the header bytes (length prefix + JSON padded with spaces to a multiple of 8) for
/// `tensors` (whose offsets must already be laid out one after another) and `metadata`.
std::string build_safetensors_header(const std::vector<SafetensorsEntry>& tensors,
                                     const std::map<std::string, std::string>& metadata);

}  // namespace tkeras::io
