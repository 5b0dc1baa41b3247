// The layer classes a model file can name: each class registers itself from its own source, as
// Keras's register_keras_serializable (internal).
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "tkeras/core/config.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::keras_format {
class Reader;
}

namespace tkeras::layers::registry {

/// Rebuilds a layer of one class from its config; `custom_objects` serve the layers it holds (a
/// model's, a wrapper's).
using FromConfig = std::function<std::shared_ptr<Layer>(const Config& config, const CustomObjects& custom_objects)>;
/// Turns a Keras `.keras` entry of one class (`{"class_name", "config", ...}`) into the entry
/// `from_config` reads: nested layers read through `reader`, files Keras keeps beside the config
/// (a vocabulary) taken from the archive. `path` is the layer's place in the archive
/// (`layers/dense`); `where` names it in messages.
using FromKeras = std::function<Config(const Config& entry, keras_format::Reader& reader, const std::string& path,
                                       const std::string& where)>;

/// Describes a layer saved under `key` whose C++ code a file cannot hold (`a Lambda "scale"`).
using DescribeCode = std::string (*)(std::string_view key);

/// What tkeras knows about a layer class before it has an instance.
struct LayerClass {
  std::string name;                   ///< Keras's class name: `Dense`, `InputLayer`.
  FromConfig from_config;             ///< Rebuilds a layer from `get_config()`; empty for `holds_code` classes.
  FromKeras from_keras;               ///< Reads a Keras entry; empty: the entry as it is.
  DescribeCode holds_code = nullptr;  ///< Set for classes only a custom object can make again.
};

/// Copies a layer of one class into a shared pointer (a layer called by value in a graph).
using Copy = std::shared_ptr<Layer> (*)(const Layer& layer);

/// Adds a class. Throws `tkeras::Error` for a name registered twice.
void add(LayerClass layer_class);
/// Adds the copy of the C++ class `type`.
void add_copy(std::type_index type, Copy copy);
/// A copy of `layer` held by a shared pointer, made by its registered class; null for a class
/// without one (a model, a user's layer).
std::shared_ptr<Layer> copy(const Layer& layer);
/// The class registered as `name`, or null.
const LayerClass* find(std::string_view name);
/// Every registered name, sorted.
std::vector<std::string> names();

/// Registers `L` as `name` when the library loads: one per class, at namespace scope in the class's
/// own source. `L::from_config(config)` or `L::from_config(config, custom_objects)` rebuilds it; a
/// static `L::from_keras(entry, reader, path, where)`, when the class has one, reads Keras's entry.
///
/// Example:
/// ```
/// const registry::Registrar<Dense> dense_registration("Dense");
/// ```
template <typename L>
class Registrar {
 public:
  explicit Registrar(const char* name) {
    LayerClass entry{.name = name, .from_config = {}, .from_keras = {}};
    if constexpr (requires(const Config& c, const CustomObjects& o) { L::from_config(c, o); }) {
      entry.from_config = [](const Config& config, const CustomObjects& custom_objects) -> std::shared_ptr<Layer> {
        return L::from_config(config, custom_objects);
      };
    } else {
      entry.from_config = [](const Config& config, const CustomObjects&) -> std::shared_ptr<Layer> {
        return L::from_config(config);
      };
    }
    if constexpr (requires { &L::from_keras; }) entry.from_keras = &L::from_keras;
    add(std::move(entry));
    add_copy_of();
  }
  /// Registers a class that runs C++ code (`TorchModule`, `Lambda`): loading one needs a custom
  /// object, and the message asking for it describes the layer with `describe`.
  Registrar(const char* name, DescribeCode describe) {
    add({.name = name, .from_config = {}, .from_keras = {}, .holds_code = describe});
    add_copy_of();
  }

 private:
  static void add_copy_of() {
    if constexpr (std::copy_constructible<L>) {
      add_copy(typeid(L), [](const Layer& layer) -> std::shared_ptr<Layer> {
        return std::make_shared<L>(static_cast<const L&>(layer));
      });
    }
  }
};

}  // namespace tkeras::layers::registry
