// Writing and reading a weight's initializer, regularizer and constraint in a layer's config.
#include "layers/weight_options.h"

#include <string>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::weight_options {
namespace {

// The option `key` made by `make` (a deserialize), with the option's name in its error.
template <typename Make>
auto read_one(const Config& config, const std::string& key, Make make) -> decltype(make(config)) {
  const auto found = config.find(key);
  if (found == config.end() || found->is_null()) return nullptr;
  try {
    return make(*found);
  } catch (const Error& error) {
    throw Error(fmt::format("{}: {}", key, error.what()));
  }
}

}  // namespace

void check(std::string_view layer, const WeightOptions& options) {
  try {
    initializers::get(options.initializer);
    regularizers::get(options.regularizer);
    constraints::get(options.constraint);
  } catch (const Error& error) {
    throw Error(fmt::format("{}: {}", layer, error.what()));
  }
}

void write(Config& config, std::string_view prefix, const WeightOptions& options) {
  const std::string base(prefix);
  config[base + "_initializer"] = initializers::serialize(options.initializer);
  config[base + "_regularizer"] = regularizers::serialize(options.regularizer);
  config[base + "_constraint"] = constraints::serialize(options.constraint);
}

WeightOptions read(const Config& config, std::string_view prefix, const char* default_initializer) {
  const std::string base(prefix);
  WeightOptions options;
  const std::shared_ptr<const initializers::Initializer> initializer = read_one(
      config, base + "_initializer", [](const Config& value) -> std::shared_ptr<const initializers::Initializer> {
        return initializers::deserialize(value);
      });
  options.initializer =
      initializer ? initializers::Identifier(initializer) : initializers::Identifier(default_initializer);
  options.regularizer = regularizers::Identifier(read_one(config, base + "_regularizer", regularizers::deserialize));
  options.constraint = constraints::Identifier(read_one(config, base + "_constraint", constraints::deserialize));
  return options;
}

regularizers::Identifier read_activity_regularizer(const Config& config) {
  return regularizers::Identifier(read_one(config, "activity_regularizer", regularizers::deserialize));
}

}  // namespace tkeras::layers::weight_options
