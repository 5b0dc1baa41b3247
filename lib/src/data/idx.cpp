// Reading IDX files (plain or gzip) into tensors, checking every field against the data.
#include "tkeras/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::datasets {
namespace {

constexpr int kMaxDims = 8;
// No IDX file this library reads comes near this; it stops a lying header early.
constexpr int64_t kMaxElements = int64_t{1} << 36;
constexpr size_t kChunk = size_t{1} << 20;

struct IdxType {
  uint8_t code;
  torch::ScalarType dtype;
  size_t size;
  const char* name;
};

constexpr std::array<IdxType, 6> kTypes = {{{0x08, torch::kUInt8, 1, "uint8"},
                                            {0x09, torch::kInt8, 1, "int8"},
                                            {0x0B, torch::kInt16, 2, "int16"},
                                            {0x0C, torch::kInt32, 4, "int32"},
                                            {0x0D, torch::kFloat32, 4, "float32"},
                                            {0x0E, torch::kFloat64, 8, "float64"}}};

// zlib reads plain files as they are, so one reader serves both .gz and uncompressed IDX.
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      throw Error(fmt::format("load_idx: cannot open \"{}\": no such file", path.string()));
    }
    if (std::filesystem::is_directory(path, ec)) {
      throw Error(fmt::format("load_idx: cannot open \"{}\": expected a file, found a directory", path.string()));
    }
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw Error(fmt::format("load_idx: cannot open \"{}\": {}", path.string(), std::strerror(errno)));
    }
    gzbuffer(file_, 1 << 17);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;
  ~GzReader() { gzclose(file_); }

  // Appends up to `count` bytes to `out`; returns how many were read.
  size_t read(std::vector<uint8_t>& out, size_t count) {
    size_t total = 0;
    while (total < count) {
      const size_t want = std::min(kChunk, count - total);
      const size_t old_size = out.size();
      out.resize(old_size + want);
      const int got = gzread(file_, out.data() + old_size, static_cast<unsigned>(want));
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw Error(fmt::format("load_idx: \"{}\" is not readable: {}", path_.string(), message));
      }
      out.resize(old_size + static_cast<size_t>(got));
      total += static_cast<size_t>(got);
      if (static_cast<size_t>(got) < want) break;
    }
    return total;
  }

 private:
  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) text += fmt::format("{}{:02X}", i == 0 ? "" : " ", bytes[i]);
  return text;
}

}  // namespace

torch::Tensor load_idx(const std::filesystem::path& path) {
  GzReader reader(path);
  const std::string where = fmt::format("load_idx: \"{}\"", path.string());

  std::vector<uint8_t> header;
  if (reader.read(header, 4) < 4) {
    throw Error(
        fmt::format("{}: too short for an IDX header: expected 4 magic bytes, found {} byte(s)", where, header.size()));
  }
  const auto type = std::find_if(kTypes.begin(), kTypes.end(), [&](const IdxType& t) { return t.code == header[2]; });
  const int dims = header[3];
  if (header[0] != 0 || header[1] != 0 || type == kTypes.end() || dims < 1 || dims > kMaxDims) {
    throw Error(
        fmt::format("{}: not an IDX file: expected magic bytes 00 00, a type code (08, 09, 0B, 0C, 0D or 0E) and 1..{} "
                    "dimensions, found {}",
                    where, kMaxDims, hex_bytes(header)));
  }

  std::vector<uint8_t> size_bytes;
  if (reader.read(size_bytes, 4 * static_cast<size_t>(dims)) < 4 * static_cast<size_t>(dims)) {
    throw Error(fmt::format("{}: truncated header: expected {} dimension sizes ({} bytes), found {} bytes", where, dims,
                            4 * dims, size_bytes.size()));
  }
  Shape shape(dims);
  int64_t elements = 1;
  for (int d = 0; d < dims; ++d) {
    const uint8_t* b = size_bytes.data() + 4 * d;
    shape[d] = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | int64_t{b[3]};
    // Checked before multiplying, so that the product cannot overflow.
    if (shape[d] > kMaxElements / elements) {
      throw Error(fmt::format("{}: header declares shape {} ({}), larger than the {} elements an IDX file may hold",
                              where, format_shape(shape), type->name, kMaxElements));
    }
    elements *= std::max<int64_t>(shape[d], 1);
  }
  elements = element_count(shape);

  const size_t expected = static_cast<size_t>(elements) * type->size;
  std::vector<uint8_t> data;
  const size_t found = reader.read(data, expected);
  if (found < expected) {
    throw Error(fmt::format("{}: truncated: expected {} bytes of {} data for shape {}, found {}", where, expected,
                            type->name, format_shape(shape), found));
  }
  std::vector<uint8_t> extra;
  if (reader.read(extra, 1) != 0) {
    throw Error(fmt::format("{}: expected {} bytes of {} data for shape {}, found more after them", where, expected,
                            type->name, format_shape(shape)));
  }

  // IDX stores values big-endian; LibTorch wants them in the host's (little-endian) order.
  if (type->size > 1) {
    for (size_t i = 0; i < data.size(); i += type->size) std::reverse(data.begin() + i, data.begin() + i + type->size);
  }
  torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(type->dtype));
  if (expected > 0) std::memcpy(tensor.data_ptr(), data.data(), expected);
  return tensor;
}

}  // namespace tkeras::datasets
