// The initializer classes layers and model files can name: each class registers itself from its
// own source, as Keras's module dict of initializers (internal).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/options_reader.h"
#include "tkeras/core/config.h"
#include "tkeras/initializers/initializer.h"

namespace tkeras::initializers::registry {

/// The reader of an initializer's options.
using OptionsReader = tkeras::detail::OptionsReader;

/// What tkeras knows about an initializer class before it has an instance.
struct InitializerClass {
  std::string class_name;            ///< Keras's class name: `GlorotUniform`.
  std::string name;                  ///< Keras's snake-case name: `glorot_uniform`.
  std::vector<std::string> aliases;  ///< Keras's other names for it: `uniform` for RandomUniform.
  /// Makes one from its options (its `get_config()`): reads them with an OptionsReader and calls
  /// its `done()`.
  std::function<std::shared_ptr<const Initializer>(OptionsReader&)> from_config;
};

/// Adds a class. Throws `tkeras::Error` for a name registered twice.
void add(InitializerClass initializer_class);
/// The class whose name, alias or class name is `name`, or null.
const InitializerClass* find(std::string_view name);

/// Registers an initializer class when the library loads: one per class, at namespace scope in
/// the class's own source.
class Registrar {
 public:
  explicit Registrar(InitializerClass initializer_class) { add(std::move(initializer_class)); }
};

/// A seed option: null or an integer (Keras's SeedGenerator objects are refused).
std::optional<int64_t> read_seed(OptionsReader& read);

}  // namespace tkeras::initializers::registry
