// The registry of loss classes, filled by each class's Registrar when the library loads, and the
// reader of their options.
#include "losses/registry.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::losses::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
std::deque<LossClass>& loss_classes() {
  static std::deque<LossClass> all;  // a deque: what find returned stays where it is
  return all;
}

constexpr std::string_view kReductions[] = {"sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"};

}  // namespace

void add(LossClass loss_class) {
  std::vector<std::string> all = loss_class.aliases;
  all.push_back(loss_class.class_name);
  all.push_back(loss_class.name);
  for (const std::string& name : all) {
    if (find(name) != nullptr) throw Error(fmt::format("the loss \"{}\" is registered twice", name));
  }
  loss_classes().push_back(std::move(loss_class));
}

const LossClass* find(std::string_view name) {
  for (const LossClass& loss_class : loss_classes()) {
    if (loss_class.name == name || loss_class.class_name == name ||
        std::find(loss_class.aliases.begin(), loss_class.aliases.end(), name) != loss_class.aliases.end()) {
      return &loss_class;
    }
  }
  return nullptr;
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const LossClass& loss_class : loss_classes()) {
    all.push_back(loss_class.name);
    all.insert(all.end(), loss_class.aliases.begin(), loss_class.aliases.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

void check_reduction(std::string_view reduction) {
  if (std::find(std::begin(kReductions), std::end(kReductions), reduction) == std::end(kReductions)) {
    throw Error(
        fmt::format("expected a loss reduction among sum_over_batch_size, sum, mean, mean_with_sample_weight "
                    "and none, received \"{}\"",
                    reduction));
  }
}

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

std::string OptionsReader::reduction() {
  const Config& value = at("reduction");
  if (value.is_null()) return options_.contains("reduction") ? "none" : std::string(kSumOverBatchSize);
  if (!value.is_string()) {
    throw Error(fmt::format("{}: expected reduction as a string, received {}", class_name_, value.dump()));
  }
  return value.get<std::string>();
}

void OptionsReader::done() const {
  for (const auto& [key, value] : options_.items()) {
    if (key == "name" || key == "dtype") continue;
    if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
      throw Error(fmt::format("{}: the option {}={} is not one of Keras's (or is not supported by tkeras)", class_name_,
                              key, value.dump().substr(0, 120)));
    }
  }
}

}  // namespace tkeras::losses::registry
