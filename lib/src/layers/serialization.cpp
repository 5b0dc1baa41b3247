// serialize and deserialize: custom objects first, then the registered layer classes.
#include "layers/serialization.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers::detail {

Config serialize(const layers::Layer& layer) {
  Config entry = {{"class_name", layer.class_name()}, {"config", layer.get_config()}};
  if (const auto registered = layer.registered_name()) entry["registered_name"] = *registered;
  return entry;
}

std::string class_label(const Config& entry) {
  if (!entry.is_object()) return "";
  const auto kind = entry.find("class_name");
  if (kind == entry.end() || !kind->is_string() || kind->get<std::string>().size() > 64) return "";
  return fmt::format(" ({})", kind->get<std::string>());
}

bool made_by_custom_object(const Config& entry, const layers::CustomObjects& custom_objects) {
  if (!entry.is_object()) return false;
  const auto registered = entry.find("registered_name");
  if (registered != entry.end() && registered->is_string() && custom_objects.contains(registered->get<std::string>()))
    return true;
  const auto kind = entry.find("class_name");
  return kind != entry.end() && kind->is_string() && custom_objects.contains(kind->get<std::string>());
}

std::shared_ptr<layers::Layer> deserialize(const Config& entry, const layers::CustomObjects& custom_objects) {
  if (!entry.is_object()) throw Error(fmt::format("expected a layer as an object, received {}", entry.dump()));
  const auto kind_entry = entry.find("class_name");
  if (kind_entry == entry.end() || !kind_entry->is_string()) {
    throw Error(fmt::format("expected \"class_name\" as a string, received {}",
                            kind_entry == entry.end() ? "none" : kind_entry->dump()));
  }
  std::string kind = kind_entry->get<std::string>();
  // Keras's operations on symbolic tensors (`x + y`) register apart from the layers of their names.
  if (const auto module = entry.find("module");
      module != entry.end() && module->is_string() && *module == "keras.src.ops.numpy") {
    kind = "numpy." + kind;
  }
  const auto config_entry = entry.find("config");
  if (config_entry == entry.end() || !config_entry->is_object()) {
    throw Error(fmt::format("expected \"config\" as an object, received {}",
                            config_entry == entry.end() ? "none" : config_entry->dump()));
  }
  const Config& config = *config_entry;
  std::string registered;
  if (const auto found = entry.find("registered_name"); found != entry.end() && found->is_string()) {
    registered = found->get<std::string>();
  }

  // A custom object first, as Keras: by the name the layer was registered under, then by class.
  auto custom = registered.empty() ? custom_objects.end() : custom_objects.find(registered);
  if (custom == custom_objects.end()) custom = custom_objects.find(kind);
  if (custom != custom_objects.end()) {
    std::shared_ptr<layers::Layer> layer = custom->second(config);
    if (!layer) throw Error(fmt::format("the custom object \"{}\" returned no layer", custom->first));
    layers::detail::restore_identity(*layer, config);
    return layer;
  }
  const registry::LayerClass* layer_class = registry::find(kind);
  if (layer_class != nullptr && layer_class->from_config) return layer_class->from_config(config, custom_objects);
  if (layer_class != nullptr && layer_class->holds_code != nullptr) {
    const std::string key = registered.empty() ? kind : registered;
    throw Error(
        fmt::format("{} holds C++ code, which a model file cannot; pass a factory that makes it again: "
                    "load_model(path, {{.custom_objects = {{{{\"{}\", make_it}}}}}})",
                    layer_class->holds_code(key), key));
  }
  std::vector<std::string> known;
  for (const std::string& name : registry::names()) {
    if (registry::find(name)->from_config) known.push_back(name);
  }
  throw Error(fmt::format("unknown layer class \"{}\"; expected one of: {}, or a factory for it in custom_objects",
                          kind, fmt::join(known, ", ")));
}

}  // namespace tkeras::layers::detail
