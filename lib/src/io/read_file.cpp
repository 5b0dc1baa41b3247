// Reading a whole file that a signature identifies.
#include "io/read_file.h"

#include <fstream>
#include <iterator>

namespace tkeras::io {

std::optional<std::string> read_file_with_signature(const std::string& path, std::string_view signature) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string start(signature.size(), '\0');
  in.read(start.data(), static_cast<std::streamsize>(start.size()));
  if (in.gcount() != static_cast<std::streamsize>(start.size()) || start != signature) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in.seekg(0)), std::istreambuf_iterator<char>());
}

}  // namespace tkeras::io
