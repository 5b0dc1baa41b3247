// Zip archives in memory with libzip: written as Python's zipfile writes Keras's model files, read
// with the checks an archive from elsewhere needs.
#include "io/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::io {
namespace {

constexpr zip_int64_t kMaxEntries = 10'000;
constexpr zip_uint64_t kMaxExpansion = 64;
constexpr zip_uint64_t kExpansionAllowance = zip_uint64_t{1} << 20;
constexpr zip_uint64_t kMaxEntrySize = zip_uint64_t{16} << 30;
// 1980-01-01 00:00 in MS-DOS's date and time, as Python's zipfile stamps a file it streams: the
// same model gives the same bytes.
constexpr zip_uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr zip_uint16_t kDosTime = 0;

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct SourceFreer {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};
struct FileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using Archive = std::unique_ptr<zip_t, ZipCloser>;
using Source = std::unique_ptr<zip_source_t, SourceFreer>;
using File = std::unique_ptr<zip_file_t, FileCloser>;

std::string error_text(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

// Whether an entry's name stays inside the archive: relative, without `..` or a backslash.
bool safe_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    const size_t end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string write_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  zip_error_t error;
  zip_error_init(&error);
  Source buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) throw Error(fmt::format("zip: cannot make a buffer: {}", error_text(&error)));
  Archive archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
  if (!archive) throw Error(fmt::format("zip: cannot start an archive: {}", error_text(&error)));
  zip_source_keep(buffer.get());  // the archive owns a reference too; ours outlives it
  for (const auto& [name, contents] : files) {
    zip_source_t* source = zip_source_buffer(archive.get(), contents.data(), contents.size(), 0);
    const zip_int64_t index =
        source == nullptr ? -1 : zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (source != nullptr) zip_source_free(source);
      throw Error(fmt::format("zip: cannot add \"{}\": {}", name, zip_strerror(archive.get())));
    }
    const auto at = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive.get(), at, ZIP_CM_STORE, 0) < 0 ||
        zip_file_set_dostime(archive.get(), at, kDosTime, kDosDate, 0) < 0) {
      throw Error(fmt::format("zip: cannot describe \"{}\": {}", name, zip_strerror(archive.get())));
    }
  }
  if (zip_close(archive.get()) < 0) {
    throw Error(fmt::format("zip: cannot write the archive: {}", zip_strerror(archive.get())));
  }
  (void)archive.release();  // zip_close freed it

  if (zip_source_open(buffer.get()) < 0 || zip_source_seek(buffer.get(), 0, SEEK_END) < 0) {
    throw Error(
        fmt::format("zip: cannot read the archive back: {}", zip_error_strerror(zip_source_error(buffer.get()))));
  }
  const zip_int64_t size = zip_source_tell(buffer.get());
  std::string bytes(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  const bool read = size >= 0 && zip_source_seek(buffer.get(), 0, SEEK_SET) == 0 &&
                    zip_source_read(buffer.get(), bytes.data(), bytes.size()) == size;
  zip_source_close(buffer.get());
  if (!read) throw Error("zip: cannot read the archive back from memory");
  return bytes;
}

std::map<std::string, std::string> read_zip(std::string_view bytes, const std::string& what) {
  zip_error_t error;
  zip_error_init(&error);
  Source source(zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error));
  if (!source) throw Error(fmt::format("\"{}\": cannot read it as a zip archive: {}", what, error_text(&error)));
  Archive archive(zip_open_from_source(source.get(), ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    throw Error(
        fmt::format("\"{}\": expected a zip archive (a .keras file), but libzip says: {}", what, error_text(&error)));
  }
  zip_source_keep(source.get());  // zip_discard drops the archive's reference, ours frees it
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries < 0 || entries > kMaxEntries) {
    throw Error(
        fmt::format("\"{}\": expected at most {} entries in the archive, found {}", what, kMaxEntries, entries));
  }

  // Every entry checked before any is read.
  struct Entry {
    zip_uint64_t index;
    std::string name;
    zip_uint64_t size;
  };
  std::vector<Entry> files;
  std::map<std::string, std::string> contents;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.get(), index, 0, &stat) < 0 || (stat.valid & ZIP_STAT_NAME) == 0) {
      throw Error(fmt::format("\"{}\": cannot read entry {} of the archive: {}", what, i, zip_strerror(archive.get())));
    }
    const std::string name = stat.name;
    if (!safe_name(name)) {
      throw Error(
          fmt::format("\"{}\": entry \"{}\" names a path outside the archive; expected a relative path "
                      "without \"..\"",
                      what, name));
    }
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && stat.encryption_method != ZIP_EM_NONE) {
      throw Error(fmt::format("\"{}\": entry \"{}\" is encrypted; expected it stored in the clear", what, name));
    }
    if ((stat.valid & ZIP_STAT_COMP_METHOD) == 0 ||
        (stat.comp_method != ZIP_CM_STORE && stat.comp_method != ZIP_CM_DEFLATE)) {
      throw Error(fmt::format("\"{}\": entry \"{}\" is compressed with method {}; expected stored (0) or deflated (8)",
                              what, name, stat.comp_method));
    }
    if ((stat.valid & ZIP_STAT_SIZE) == 0 || (stat.valid & ZIP_STAT_COMP_SIZE) == 0) {
      throw Error(fmt::format("\"{}\": entry \"{}\" does not say its size", what, name));
    }
    if (stat.size > kMaxEntrySize || stat.size > kMaxExpansion * stat.comp_size + kExpansionAllowance) {
      throw Error(
          fmt::format("\"{}\": entry \"{}\" says it holds {} bytes in {} stored; expected at most {} times "
                      "its stored size (a zip bomb?)",
                      what, name, stat.size, stat.comp_size, kMaxExpansion));
    }
    if (contents.contains(name)) throw Error(fmt::format("\"{}\": entry \"{}\" appears twice", what, name));
    contents.emplace(name, std::string());
    if (!name.ends_with('/')) files.push_back({index, name, stat.size});
  }

  for (const Entry& entry : files) {
    File file(zip_fopen_index(archive.get(), entry.index, 0));
    if (!file) {
      throw Error(fmt::format("\"{}\": cannot open entry \"{}\": {}", what, entry.name, zip_strerror(archive.get())));
    }
    std::string& data = contents[entry.name];
    data.resize(static_cast<size_t>(entry.size) + 1);  // one more byte shows contents longer than said
    size_t filled = 0;
    while (filled < data.size()) {
      const zip_int64_t got = zip_fread(file.get(), data.data() + filled, data.size() - filled);
      if (got < 0) {
        throw Error(fmt::format("\"{}\": cannot read entry \"{}\": {}", what, entry.name,
                                zip_error_strerror(zip_file_get_error(file.get()))));
      }
      if (got == 0) break;
      filled += static_cast<size_t>(got);
    }
    if (filled != entry.size) {
      throw Error(fmt::format("\"{}\": entry \"{}\" holds {}{} bytes; the archive says {}", what, entry.name,
                              filled > entry.size ? "more than " : "", filled, entry.size));
    }
    data.resize(filled);
  }
  for (auto it = contents.begin(); it != contents.end();) {
    it = it->first.ends_with('/') ? contents.erase(it) : std::next(it);
  }
  return contents;
}

}  // namespace tkeras::io
