// Parsing and building safetensors headers with nlohmann/json, with every field checked.
#include "io/safetensors_header.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tkeras/core/error.h"

namespace tkeras::io {
namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(std::string_view path, std::string_view problem) {
  throw Error(fmt::format("\"{}\" is not a valid safetensors file: {}", path, problem));
}

SafetensorsEntry parse_entry(const std::string& name, const Json& value, std::string_view path) {
  if (!value.is_object()) fail(path, fmt::format("entry \"{}\" is not an object", name));
  SafetensorsEntry entry;
  entry.name = name;
  const auto dtype = value.find("dtype");
  if (dtype == value.end() || !dtype->is_string()) fail(path, fmt::format("entry \"{}\" has no dtype string", name));
  entry.dtype = dtype->get<std::string>();
  const uint64_t element_size = safetensors_dtype_size(entry.dtype);
  if (element_size == 0) {
    fail(path, fmt::format("tensor \"{}\" has dtype \"{}\"; expected one of F64, F32, F16, BF16, I64, I32, I16, "
                           "I8, U8, BOOL",
                           name, entry.dtype));
  }
  const auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) fail(path, fmt::format("tensor \"{}\" has no shape list", name));
  // The element count, checked for overflow: a hostile shape must not wrap around.
  uint64_t elements = 1;
  for (const Json& dimension : *shape) {
    if (!dimension.is_number_unsigned() || dimension.get<uint64_t>() > uint64_t{1} << 62) {
      fail(path, fmt::format("tensor \"{}\" has shape {}; expected non-negative integers", name, shape->dump()));
    }
    const uint64_t size = dimension.get<uint64_t>();
    if (size != 0 && elements > std::numeric_limits<uint64_t>::max() / element_size / size) {
      fail(path, fmt::format("tensor \"{}\" has shape {}, too large", name, shape->dump()));
    }
    elements *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }
  const auto offsets = value.find("data_offsets");
  if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    fail(path, fmt::format("tensor \"{}\" has no data_offsets [begin, end] of non-negative integers", name));
  }
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.end < entry.begin || entry.end - entry.begin != elements * element_size) {
    fail(path, fmt::format("tensor \"{}\" ({} of shape {}) needs {} bytes, its data_offsets [{}, {}] hold {}", name,
                           entry.dtype, shape->dump(), elements * element_size, entry.begin, entry.end,
                           entry.end >= entry.begin ? fmt::format("{}", entry.end - entry.begin) : "a negative count"));
  }
  return entry;
}

}  // namespace

uint64_t safetensors_dtype_size(std::string_view dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL") return 1;
  return 0;
}

uint64_t safetensors_header_length(std::string_view prefix, uint64_t file_size, std::string_view path) {
  if (prefix.size() < 8 || file_size < 8) {
    fail(path, fmt::format("expected at least 8 bytes (the header length), the file has {}", file_size));
  }
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(prefix[static_cast<size_t>(i)]);
  if (length > kMaxSafetensorsHeader) {
    fail(path, fmt::format("header length {} is above the limit of {} bytes", length, kMaxSafetensorsHeader));
  }
  if (length > file_size - 8) {
    fail(path, fmt::format("header length {} goes beyond the file's {} bytes (truncated?)", length, file_size));
  }
  return length;
}

SafetensorsHeader parse_safetensors_header(std::string_view prefix, std::string_view json, uint64_t file_size,
                                           std::string_view path) {
  const uint64_t length = safetensors_header_length(prefix, file_size, path);
  if (json.size() != length) fail(path, fmt::format("expected {} header bytes, read {}", length, json.size()));
  if (json.empty() || json.front() != '{') fail(path, "the header does not start with '{'");
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::exception& error) {
    fail(path, fmt::format("the header is not valid JSON ({})", error.what()));
  }
  if (!root.is_object()) fail(path, "the header is not a JSON object");

  SafetensorsHeader header;
  header.data_start = 8 + length;
  for (const auto& [name, value] : root.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(path, "__metadata__ is not an object");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) fail(path, fmt::format("__metadata__ entry \"{}\" is not a string", key));
        header.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    header.tensors.push_back(parse_entry(name, value, path));
  }
  // The tensors' bytes must tile the data section exactly: no overlap, no gap, nothing after.
  std::sort(header.tensors.begin(), header.tensors.end(),
            [](const SafetensorsEntry& a, const SafetensorsEntry& b) { return a.begin < b.begin; });
  uint64_t expected = 0;
  for (const SafetensorsEntry& entry : header.tensors) {
    if (entry.begin != expected) {
      fail(path, fmt::format("tensor \"{}\" starts at byte {} of the data; expected {} (overlap or gap)", entry.name,
                             entry.begin, expected));
    }
    expected = entry.end;
  }
  const uint64_t data_size = file_size - header.data_start;
  if (expected != data_size) {
    fail(path, fmt::format("the tensors take {} bytes, the file holds {} after the header (truncated or extra data)",
                           expected, data_size));
  }
  return header;
}

std::string build_safetensors_header(const std::vector<SafetensorsEntry>& tensors,
                                     const std::map<std::string, std::string>& metadata) {
  Json root = Json::object();
  if (!metadata.empty()) root["__metadata__"] = metadata;
  for (const SafetensorsEntry& entry : tensors) {
    root[entry.name] = {{"dtype", entry.dtype}, {"shape", entry.shape}, {"data_offsets", {entry.begin, entry.end}}};
  }
  std::string json = root.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string bytes(8, '\0');
  uint64_t length = json.size();
  for (size_t i = 0; i < 8; ++i, length >>= 8) bytes[i] = static_cast<char>(length & 0xff);
  return bytes + json;
}

}  // namespace tkeras::io
