// Reading a whole file that a signature identifies (internal).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tkeras::io {

/// The whole contents of the file at `path` when it starts with `signature` (the HDF5 or zip
/// magic bytes); nothing when it does not, or cannot be opened, so that the caller's other reader
/// takes it and reports what is wrong.
std::optional<std::string> read_file_with_signature(const std::string& path, std::string_view signature);

}  // namespace tkeras::io
