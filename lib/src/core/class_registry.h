// ClassRegistry: the classes of one kind (losses, metrics, initializers...) by Keras's names,
// each registered from its own source when the library loads (internal).
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/options_reader.h"
#include "tkeras/core/config.h"
#include "tkeras/core/error.h"

namespace tkeras::detail {

/// A class registry, as Keras's module dicts (`ALL_OBJECTS_DICT`): `Class` has Keras's
/// `class_name`, its snake-case `name` and other `aliases` (all `std::string`, the aliases a
/// vector). Entries stay where they are (a deque), so what `find` returns stays valid.
template <typename Class>
class ClassRegistry {
 public:
  /// A registry of classes of `kind` (`"loss"`: the word its errors use).
  explicit ClassRegistry(std::string kind) : kind_(std::move(kind)) {}

  /// Adds a class. Throws `tkeras::Error` for a name, alias or class name registered twice.
  void add(Class entry) {
    std::vector<std::string> all = entry.aliases;
    all.push_back(entry.class_name);
    all.push_back(entry.name);
    for (const std::string& name : all) {
      if (find(name) != nullptr) throw Error(fmt::format("the {} \"{}\" is registered twice", kind_, name));
    }
    classes_.push_back(std::move(entry));
  }

  /// The class whose name, alias or class name is `name`, or null.
  const Class* find(std::string_view name) const {
    for (const Class& entry : classes_) {
      if (entry.name == name || entry.class_name == name ||
          std::find(entry.aliases.begin(), entry.aliases.end(), name) != entry.aliases.end()) {
        return &entry;
      }
    }
    return nullptr;
  }

  /// Makes the object that Keras's serialized form `config` names (a name, or `{"class_name":
  /// ..., "config": ...}`) with its class's `from_config(OptionsReader&)`, then checks that every
  /// option was read. Throws `tkeras::Error` naming an unknown class, or the option and the class.
  auto make(const Config& config) const {
    const ClassAndOptions given = class_and_options(config, kind_);
    const Class* found = find(given.class_name);
    if (found == nullptr) {
      throw Error(
          fmt::format("unknown {} \"{}\"; expected one of: {}", kind_, given.class_name, fmt::join(names(), ", ")));
    }
    OptionsReader read(given.options, found->class_name);
    auto made = found->from_config(read);
    read.done();
    return made;
  }

  /// Every name and alias (not the class names), sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> all;
    for (const Class& entry : classes_) {
      all.push_back(entry.name);
      all.insert(all.end(), entry.aliases.begin(), entry.aliases.end());
    }
    std::sort(all.begin(), all.end());
    return all;
  }

 private:
  std::string kind_;
  std::deque<Class> classes_;
};

/// Keras's serialized form of an object: `{"module", "class_name", "config", "registered_name":
/// null}`, as `keras.saving.serialize_keras_object` writes a built-in class.
inline Config keras_object(std::string_view module, const std::string& class_name, Config config) {
  return {{"module", module}, {"class_name", class_name}, {"config", std::move(config)}, {"registered_name", nullptr}};
}

/// Keras's serialized form of a function of one's own (a function defined in a script: module
/// "builtins"), as Keras writes a loss or metric function: `{"class_name": "function", "config": name}`.
inline Config function_object(const std::string& name) {
  return {{"module", "builtins"}, {"class_name", "function"}, {"config", name}, {"registered_name", "function"}};
}

}  // namespace tkeras::detail
