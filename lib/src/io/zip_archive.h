// Zip archives as Keras 3 writes its model files (.keras): a few named files, stored
// uncompressed, read and written in memory with Debian's libzip (internal).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tkeras::io {

/// The bytes of a zip archive holding `files` (name, contents), in that order, each stored
/// uncompressed as Python's zipfile stores Keras's. Throws `tkeras::Error` if libzip fails.
std::string write_zip(const std::vector<std::pair<std::string, std::string>>& files);

/// Every file of the zip archive `bytes`, by name. `what` names the archive in errors. Throws
/// `tkeras::Error`, before reading any file's contents, for: bytes libzip cannot open as an
/// archive or finds inconsistent, more than 10,000 entries, a name that is absolute, holds `..`,
/// a backslash or a NUL, or appears twice (a path outside the archive), an encrypted entry or one
/// compressed other than stored or deflated, and an entry whose size is more than 64 times its
/// stored size plus 1 MiB (a zip bomb), or more than 16 GiB; then, reading, for contents whose
/// size or CRC-32 differ from what the archive says. Directories are left out.
std::map<std::string, std::string> read_zip(std::string_view bytes, const std::string& what);

}  // namespace tkeras::io
