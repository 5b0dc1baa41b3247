// Keras-style unique names: one counter per prefix for the whole process.
#include "core/unique_name.h"

#include <map>
#include <mutex>

#include <fmt/format.h>

namespace tkeras {

std::string unique_name(std::string_view prefix) {
  static std::mutex mutex;
  static std::map<std::string, int, std::less<>> counts;
  const std::lock_guard lock(mutex);
  int& count = counts[std::string(prefix)];
  std::string name = count == 0 ? std::string(prefix) : fmt::format("{}_{}", prefix, count);
  ++count;
  return name;
}

}  // namespace tkeras
