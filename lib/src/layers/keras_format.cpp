// What every layer's entry in a .keras archive shares.
#include "layers/keras_format.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::keras_format {

Config entry(const Layer& layer, Config config, const std::string& module) {
  const auto registered = layer.registered_name();
  return {{"module", module},
          {"class_name", layer.class_name()},
          {"config", std::move(config)},
          {"registered_name", registered ? Config(*registered) : Config(nullptr)}};
}

void refuse_code(const Layer& layer) {
  throw Error(
      fmt::format("{} \"{}\": a .keras file cannot hold the C++ code it runs; save the model as .tkeras "
                  "(load_model with custom_objects), or its weights with save_weights",
                  layer.class_name(), layer.name()));
}

std::string dtype_name(const Config& dtype) {
  if (dtype.is_string()) return dtype.get<std::string>();
  if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object()) {
    return dtype["config"].value("name", std::string("?"));
  }
  return dtype.dump();
}

std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "/" + name; }

std::string SavedNames::next(std::string_view class_name) {
  // Keras's naming.to_snake_case: word characters only; an underscore before each capital that
  // starts a lowercase run, and between a lowercase letter and a capital; then lowercase.
  std::string name = std::regex_replace(std::string(class_name), std::regex(R"(\W+)"), "");
  name = std::regex_replace(name, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  name = std::regex_replace(name, std::regex("([a-z])([A-Z])"), "$1_$2");
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto [found, first] = used_.try_emplace(name, 0);
  if (first) return name;
  return fmt::format("{}_{}", name, ++found->second);
}

}  // namespace tkeras::layers::keras_format
