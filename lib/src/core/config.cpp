// ConfigReader: typed options out of JSON configs, with errors that say what was received.
#include "tkeras/core/config.h"

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras {
namespace {

// No option may exceed this (2^48): far beyond any real size, and small enough that products of
// two such numbers cannot overflow an int64.
constexpr int64_t kMaxSize = int64_t{1} << 48;

[[noreturn]] void fail(std::string_view key, std::string_view expected, const Config& received) {
  throw Error(fmt::format("expected \"{}\" as {}, received {}", key, expected, received.dump()));
}

bool is_size(const Config& value) {
  return value.is_number_integer() && value.get<int64_t>() > 0 && value.get<int64_t>() <= kMaxSize;
}

}  // namespace

ConfigReader::ConfigReader(const Config& config) : config_(config) {
  if (!config_.is_object()) throw Error(fmt::format("expected a config object, received {}", config_.dump()));
}

bool ConfigReader::has(std::string_view key) const {
  const auto found = config_.find(key);
  return found != config_.end() && !found->is_null();
}

const Config& ConfigReader::at(std::string_view key) const {
  const auto found = config_.find(key);
  if (found == config_.end()) throw Error(fmt::format("expected an option \"{}\", found none", key));
  return *found;
}

int64_t ConfigReader::positive_int(std::string_view key) const {
  const Config& value = at(key);
  if (!is_size(value)) fail(key, "a positive integer", value);
  return value.get<int64_t>();
}

int64_t ConfigReader::non_negative_int(std::string_view key, int64_t fallback) const {
  if (!has(key)) return fallback;
  const Config& value = at(key);
  if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > kMaxSize) {
    fail(key, "an integer >= 0", value);
  }
  return value.get<int64_t>();
}

double ConfigReader::number(std::string_view key) const {
  const Config& value = at(key);
  if (!value.is_number()) fail(key, "a number", value);
  return value.get<double>();
}

double ConfigReader::number(std::string_view key, double fallback) const { return has(key) ? number(key) : fallback; }

std::string ConfigReader::string(std::string_view key, std::string_view fallback) const {
  if (!has(key)) return std::string(fallback);
  const Config& value = at(key);
  if (!value.is_string()) fail(key, "a string", value);
  return value.get<std::string>();
}

bool ConfigReader::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  const Config& value = at(key);
  if (!value.is_boolean()) fail(key, "true or false", value);
  return value.get<bool>();
}

std::pair<int64_t, int64_t> ConfigReader::size2(std::string_view key) const {
  const Config& value = at(key);
  if (is_size(value)) return {value.get<int64_t>(), value.get<int64_t>()};
  if (!value.is_array() || value.empty() || value.size() > 2 || !is_size(value[0]) || !is_size(value.back())) {
    fail(key, "a positive integer or [height, width]", value);
  }
  return {value[0].get<int64_t>(), value.back().get<int64_t>()};
}

Shape ConfigReader::shape(std::string_view key, bool allow_unknown) const {
  const Config& value = at(key);
  const char* expected =
      allow_unknown ? "a list of 1 to 16 positive sizes, one of which may be -1" : "a list of 1 to 16 positive sizes";
  if (!value.is_array() || value.empty() || value.size() > 16) fail(key, expected, value);
  Shape shape;
  int unknown = 0;
  for (const Config& size : value) {
    if (allow_unknown && size.is_number_integer() && size.get<int64_t>() == -1 && unknown++ == 0) {
      shape.push_back(-1);
      continue;
    }
    if (!is_size(size)) fail(key, expected, value);
    shape.push_back(size.get<int64_t>());
  }
  return shape;
}

}  // namespace tkeras
