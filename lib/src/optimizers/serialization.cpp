// Optimizers to and from tkeras's compile_config entries and Keras's config.json objects: what
// Keras's base Optimizer serializes; each class's own options are its get_config and from_config.
#include "optimizers/serialization.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "optimizers/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/optimizers/schedules.h"

namespace tkeras::optimizers::detail {

Config serialize(const Optimizer& optimizer) {
  return {{"class_name", optimizer.class_name()}, {"config", optimizer.get_config()}};
}

void check(const Config& entry) {
  if (!entry.is_object()) throw Error(fmt::format("expected \"optimizer\" as an object, received {}", entry.dump()));
  const auto kind = entry.find("class_name");
  if (kind == entry.end()) throw Error("expected \"class_name\", found none");
  const std::vector<std::string> known = registry::class_names();
  if (!kind->is_string() || std::find(known.begin(), known.end(), kind->get<std::string>()) == known.end()) {
    throw Error(fmt::format("unknown optimizer class {}; expected one of: {}", kind->dump(), fmt::join(known, ", ")));
  }
  const auto options = entry.find("config");
  if (options == entry.end()) throw Error("expected \"config\", found none");
  if (!options->is_object()) throw Error("expected the optimizer's \"config\" as an object");
  for (const auto& [key, value] : options->items()) {
    if (key == "learning_rate" && value.is_object()) {
      (void)schedules::LearningRateSchedule::deserialize(value);  // throws for a bad schedule
      continue;
    }
    if (!value.is_number() && !value.is_boolean()) {
      throw Error(
          fmt::format("expected optimizer option \"{}\" as a number or boolean, received {}", key, value.dump()));
    }
  }
}

Optimizer deserialize(const Config& entry) {
  return registry::find(entry.at("class_name").get<std::string>())->from_config(entry.at("config"));
}

Config to_keras(const Config& entry) {
  return {{"module", "keras.optimizers"},
          {"class_name", entry.at("class_name")},
          {"config", entry.at("config")},
          {"registered_name", nullptr}};
}

Config from_keras(const Config& keras) {
  if (keras.is_string()) {
    const registry::OptimizerClass* found = registry::find(keras.get<std::string>());
    if (found == nullptr) throw Error(fmt::format("unknown optimizer {}", keras.dump()));
    return {{"class_name", found->class_name}, {"config", Config::object()}};
  }
  if (!keras.is_object() || !keras.contains("class_name") || !keras.contains("config") ||
      !keras["config"].is_object()) {
    throw Error(fmt::format("expected \"optimizer\" as a name or an object, received {}", keras.dump().substr(0, 120)));
  }
  Config options = Config::object();
  for (const auto& [key, value] : keras["config"].items()) {
    if (key == "name" || value.is_null() || key == "ema_momentum" || key == "ema_overwrite_frequency") continue;
    if (key == "use_ema") {
      if (value == true) throw Error("the optimizer's use_ema=True is not supported by tkeras");
      continue;
    }
    if (key == "loss_scale_factor" || key == "gradient_accumulation_steps") {
      throw Error(fmt::format("the optimizer's {}={} is not supported by tkeras (expected None)", key, value.dump()));
    }
    options[key] = value;
  }
  return {{"class_name", keras["class_name"]}, {"config", options}};
}

}  // namespace tkeras::optimizers::detail
