// serialize and deserialize: one loop over the layer registry, extended by custom objects.
#include "models/serialization.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/models/sequential.h"

namespace tkeras::models::detail {

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

std::shared_ptr<layers::Layer> deserialize(const Config& entry, const layers::CustomObjects& custom_objects) {
  if (!entry.is_object()) throw Error(fmt::format("expected a layer as an object, received {}", entry.dump()));
  const auto kind_entry = entry.find("class_name");
  if (kind_entry == entry.end() || !kind_entry->is_string()) {
    throw Error(fmt::format("expected \"class_name\" as a string, received {}",
                            kind_entry == entry.end() ? "none" : kind_entry->dump()));
  }
  const std::string kind = kind_entry->get<std::string>();
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
  if (kind == "Sequential") return Sequential::from_config(config, custom_objects);
  const auto& builtin = layers::registry::builtin();
  if (const auto found = builtin.find(kind); found != builtin.end()) return found->second(config);

  if (kind == "TorchModule" || kind == "Lambda") {
    const std::string key = registered.empty() ? kind : registered;
    const std::string what = kind == "TorchModule" ? fmt::format("a TorchModule wrapping a LibTorch module \"{}\"", key)
                                                   : fmt::format("a Lambda \"{}\"", key);
    throw Error(
        fmt::format("{} holds C++ code, which a model file cannot; pass a factory that makes it again: "
                    "load_model(path, {{.custom_objects = {{{{\"{}\", make_it}}}}}})",
                    what, key));
  }
  std::vector<std::string> known;
  for (const auto& [name, from_config] : builtin) known.push_back(name);
  known.emplace_back("Sequential");
  throw Error(fmt::format("unknown layer class \"{}\"; expected one of: {}, or a factory for it in custom_objects",
                          kind, fmt::join(known, ", ")));
}

}  // namespace tkeras::models::detail
