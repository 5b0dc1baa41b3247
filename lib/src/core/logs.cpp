// Logs helpers: the validation prefix and merging.
#include "tkeras/core/logs.h"

namespace tkeras {

Logs with_prefix(const Logs& logs, std::string_view prefix) {
  Logs prefixed;
  for (const auto& [name, value] : logs) prefixed.emplace(std::string(prefix) + name, value);
  return prefixed;
}

Logs merged(Logs logs, const Logs& more) {
  for (const auto& [name, value] : more) logs.insert_or_assign(name, value);
  return logs;
}

}  // namespace tkeras
