// Files written atomically: a temporary file in the same directory, flushed, fsynced and renamed
// over the target (internal).
#pragma once

#include <string>
#include <string_view>

namespace tkeras::io {

/// Writes `bytes` to `path` so that a process killed at any moment leaves either the old file
/// or the complete new one: the bytes go to `path.tmp-<pid>-<n>` in the same directory, which is
/// flushed and fsynced, then renamed over `path`, and the directory is fsynced. Throws
/// `tkeras::Error` naming the path and the system's reason on failure (the temporary is removed).
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace tkeras::io
