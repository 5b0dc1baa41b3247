// Initializer's call, and the naming, saving and reading of initializers.
#include "tkeras/initializers/initializer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "core/class_registry.h"
#include "core/options_reader.h"
#include "initializers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::initializers {
namespace registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
tkeras::detail::ClassRegistry<InitializerClass>& initializer_classes() {
  static tkeras::detail::ClassRegistry<InitializerClass> all("initializer");
  return all;
}

}  // namespace

void add(InitializerClass initializer_class) { initializer_classes().add(std::move(initializer_class)); }

const InitializerClass* find(std::string_view name) { return initializer_classes().find(name); }

std::optional<int64_t> read_seed(OptionsReader& read) {
  const Config& seed = read.value("seed");
  if (seed.is_null()) return std::nullopt;
  if (!seed.is_number_integer()) {
    throw Error(fmt::format("{}: expected seed as an integer or null, received {} (a SeedGenerator is not supported)",
                            read.class_name(), seed.dump().substr(0, 120)));
  }
  return seed.get<int64_t>();
}

}  // namespace registry

torch::Tensor Initializer::operator()(const Shape& shape, const torch::TensorOptions& options) const {
  for (const int64_t size : shape) {
    if (size < 0)
      throw Error(
          fmt::format("{}: expected a shape of sizes >= 0, received [{}]", class_name(), fmt::join(shape, ", ")));
  }
  if (options.has_device() && options.device().is_meta()) return torch::empty(shape, options.dtype(torch::kFloat));
  const torch::NoGradGuard no_grad;
  torch::Tensor values = generate(shape);
  return options.has_device() ? values.to(options.device()) : values;
}

std::shared_ptr<const Initializer> get(const Identifier& identifier) {
  if (identifier.object() != nullptr) return identifier.object();
  if (identifier.is_none()) throw Error("expected an initializer (a name or an object), received none");
  return deserialize(identifier.name());
}

std::shared_ptr<const Initializer> deserialize(const Config& config) {
  return registry::initializer_classes().make(config);
}

Config serialize(const Initializer& initializer) {
  return tkeras::detail::keras_object("keras.initializers", initializer.class_name(), initializer.get_config());
}

Config serialize(const Identifier& identifier) {
  if (identifier.is_none()) return nullptr;
  return serialize(*get(identifier));
}

std::vector<std::string> names() { return registry::initializer_classes().names(); }

}  // namespace tkeras::initializers
