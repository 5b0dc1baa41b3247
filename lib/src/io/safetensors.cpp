// safetensors files through LibTorch tensors.
#include "io/safetensors.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "io/atomic_file.h"
#include "io/safetensors_header.h"
#include "tkeras/core/error.h"

namespace tkeras::io {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors stores little-endian bytes");

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};

constexpr DtypeName kDtypes[] = {{torch::kFloat64, "F64"},   {torch::kFloat32, "F32"}, {torch::kFloat16, "F16"},
                                 {torch::kBFloat16, "BF16"}, {torch::kInt64, "I64"},   {torch::kInt32, "I32"},
                                 {torch::kInt16, "I16"},     {torch::kInt8, "I8"},     {torch::kUInt8, "U8"},
                                 {torch::kBool, "BOOL"}};

std::string dtype_name(torch::ScalarType type, const std::string& tensor, const std::string& path) {
  for (const DtypeName& dtype : kDtypes) {
    if (dtype.type == type) return dtype.name;
  }
  throw Error(fmt::format("cannot write \"{}\": tensor \"{}\" has dtype {}, which safetensors cannot hold", path,
                          tensor, c10::toString(type)));
}

torch::ScalarType scalar_type(const SafetensorsEntry& entry, const std::string& path) {
  for (const DtypeName& dtype : kDtypes) {
    if (entry.dtype == dtype.name) return dtype.type;
  }
  throw Error(
      fmt::format("\"{}\": tensor \"{}\" has dtype {}, which LibTorch cannot load", path, entry.name, entry.dtype));
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<SafetensorsEntry> entries;
  std::vector<torch::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
    const auto size = static_cast<uint64_t>(bytes.numel()) * bytes.element_size();
    entries.push_back({name, dtype_name(bytes.scalar_type(), name, path), bytes.sizes().vec(), offset, offset + size});
    offset += size;
    contiguous.push_back(std::move(bytes));
  }
  std::string file = build_safetensors_header(entries, metadata);
  file.reserve(file.size() + offset);
  for (const torch::Tensor& bytes : contiguous) {
    file.append(static_cast<const char*>(bytes.data_ptr()), static_cast<size_t>(bytes.numel()) * bytes.element_size());
  }
  write_file_atomically(path, file);
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::error_code error;
  const uint64_t file_size = std::filesystem::file_size(path, error);
  if (error) throw Error(fmt::format("cannot open \"{}\": {}", path, error.message()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open \"{}\": {}", path, std::strerror(errno)));

  std::string prefix(8, '\0');
  in.read(prefix.data(), 8);
  prefix.resize(static_cast<size_t>(in.gcount()));
  const uint64_t length = safetensors_header_length(prefix, file_size, path);
  std::string json(length, '\0');
  in.read(json.data(), static_cast<std::streamsize>(length));
  if (static_cast<uint64_t>(in.gcount()) != length) {
    throw Error(fmt::format("\"{}\": expected {} header bytes, read {}", path, length, in.gcount()));
  }
  const SafetensorsHeader header = parse_safetensors_header(prefix, json, file_size, path);

  SafetensorsFile file{{}, header.metadata};
  for (const SafetensorsEntry& entry : header.tensors) {
    torch::Tensor tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(scalar_type(entry, path)));
    const auto size = static_cast<std::streamsize>(entry.end - entry.begin);
    in.seekg(static_cast<std::streamoff>(header.data_start + entry.begin));
    in.read(static_cast<char*>(tensor.data_ptr()), size);
    if (in.gcount() != size) {
      throw Error(fmt::format("\"{}\": tensor \"{}\" is cut short: expected {} bytes, read {}", path, entry.name, size,
                              in.gcount()));
    }
    file.tensors.emplace_back(entry.name, std::move(tensor));
  }
  return file;
}

}  // namespace tkeras::io
