// The reader of a Keras object's options (losses, metrics, initializers, regularizers,
// constraints).
#include "core/options_reader.h"

#include <algorithm>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::detail {

OptionsReader::OptionsReader(const Config& options, std::string_view class_name)
    : options_(options), class_name_(class_name) {
  if (!options_.is_object()) {
    throw Error(fmt::format("{}: expected the options as an object, received {}", class_name_, options_.dump()));
  }
}

const Config& OptionsReader::at(std::string_view key) {
  read_.emplace_back(key);
  static const Config none;
  const auto found = options_.find(key);
  return found == options_.end() ? none : *found;
}

double OptionsReader::number(std::string_view key, double fallback) {
  const Config& value = at(key);
  if (value.is_null()) return fallback;
  if (!value.is_number())
    throw Error(fmt::format("{}: expected {} as a number, received {}", class_name_, key, value.dump()));
  return value.get<double>();
}

bool OptionsReader::boolean(std::string_view key, bool fallback) {
  const Config& value = at(key);
  if (value.is_null()) return fallback;
  if (!value.is_boolean()) {
    throw Error(fmt::format("{}: expected {} as true or false, received {}", class_name_, key, value.dump()));
  }
  return value.get<bool>();
}

int64_t OptionsReader::integer(std::string_view key, int64_t fallback) {
  return optional_integer(key).value_or(fallback);
}

std::optional<int64_t> OptionsReader::optional_integer(std::string_view key) {
  const Config& value = at(key);
  if (value.is_null()) return std::nullopt;
  if (!value.is_number_integer()) {
    throw Error(fmt::format("{}: expected {} as an integer, received {}", class_name_, key, value.dump()));
  }
  return value.get<int64_t>();
}

std::optional<std::vector<int64_t>> OptionsReader::axes(std::string_view key) {
  const Config& value = at(key);
  if (value.is_null()) return std::nullopt;
  if (value.is_number_integer()) return std::vector<int64_t>{value.get<int64_t>()};
  const bool integers = value.is_array() &&
                        std::all_of(value.begin(), value.end(), [](const Config& v) { return v.is_number_integer(); });
  if (!integers) {
    throw Error(fmt::format("{}: expected {} as null, an integer or a list of integers, received {}", class_name_, key,
                            value.dump()));
  }
  return value.get<std::vector<int64_t>>();
}

std::string OptionsReader::string(std::string_view key, std::string_view fallback) {
  const Config& value = at(key);
  if (value.is_null()) return std::string(fallback);
  if (!value.is_string())
    throw Error(fmt::format("{}: expected {} as a string, received {}", class_name_, key, value.dump()));
  return value.get<std::string>();
}

std::optional<double> OptionsReader::optional_number(std::string_view key) {
  const Config& value = at(key);
  if (value.is_null()) return std::nullopt;
  if (!value.is_number())
    throw Error(fmt::format("{}: expected {} as a number or null, received {}", class_name_, key, value.dump()));
  return value.get<double>();
}

std::optional<std::vector<double>> OptionsReader::numbers(std::string_view key) {
  const Config& given = at(key);
  // Keras serializes a tensor option (AUC's label_weights) as {"class_name": "__tensor__",
  // "config": {"value": [...], "dtype": ...}}.
  const bool tensor = given.is_object() && given.value("class_name", Config()) == "__tensor__" &&
                      given.contains("config") && given["config"].is_object() && given["config"].contains("value");
  const Config& value = tensor ? given["config"]["value"] : given;
  if (value.is_null()) return std::nullopt;
  if (value.is_number()) return std::vector<double>{value.get<double>()};
  const bool all_numbers =
      value.is_array() && std::all_of(value.begin(), value.end(), [](const Config& v) { return v.is_number(); });
  if (!all_numbers) {
    throw Error(fmt::format("{}: expected {} as null, a number or a list of numbers, received {}", class_name_, key,
                            value.dump()));
  }
  return value.get<std::vector<double>>();
}

const Config& OptionsReader::value(std::string_view key) { return at(key); }

void OptionsReader::done() const {
  for (const auto& [key, value] : options_.items()) {
    if (key == "name" || key == "dtype") continue;
    if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
      throw Error(fmt::format("{}: the option {}={} is not one of Keras's (or is not supported by tkeras)", class_name_,
                              key, value.dump().substr(0, 120)));
    }
  }
}

ClassAndOptions class_and_options(const Config& config, std::string_view kind) {
  if (config.is_string()) return {.class_name = config.get<std::string>(), .options = Config::object()};
  if (config.is_object() && config.contains("class_name") && config["class_name"].is_string()) {
    const Config options = config.value("config", Config());
    return {.class_name = config["class_name"].get<std::string>(),
            .options = options.is_null() ? Config::object() : options};
  }
  throw Error(fmt::format("expected the {} as a name or {{\"class_name\": ..., \"config\": ...}}, received {}", kind,
                          config.dump().substr(0, 120)));
}

}  // namespace tkeras::detail
