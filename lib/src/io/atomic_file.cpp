// Atomic file replacement with POSIX calls.
#include "io/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::io {
namespace {

std::string reason() { return std::strerror(errno); }

void write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("cannot write \"{}\": {}", path, reason()));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
  static std::atomic<int> counter{0};
  const std::filesystem::path target(path);
  std::filesystem::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  const std::string temporary = fmt::format("{}.tmp-{}-{}", path, ::getpid(), counter++);

  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot create \"{}\": {}", temporary, reason()));
  try {
    write_all(fd, bytes, temporary);
    if (::fsync(fd) != 0) throw Error(fmt::format("cannot fsync \"{}\": {}", temporary, reason()));
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw Error(fmt::format("cannot close \"{}\": {}", temporary, reason()));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = reason();
    ::unlink(temporary.c_str());
    throw Error(fmt::format("cannot rename \"{}\" to \"{}\": {}", temporary, path, why));
  }
  // The rename itself is durable only once the directory entry is on disk.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace tkeras::io
