// Losses to and from tkeras's compile_config entries and Keras's serialized loss objects.
#include "losses/serialization.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/class_registry.h"
#include "losses/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::detail {
namespace {

using tkeras::detail::function_object;

bool is_registered(const Loss& loss) {
  const registry::LossClass* found = registry::find(loss.name());
  return found != nullptr && found->class_name == loss.class_name();
}

// A Keras serialized loss object of one's own (a function, Keras's LossFunctionWrapper around one,
// or a class) made by `custom_objects`; nullopt when none of them makes it.
std::optional<Loss> make_custom(const Config& keras, const LossFactories& custom_objects) {
  const Config& config = keras["config"];
  const std::string class_name = keras["class_name"].get<std::string>();
  if (class_name == "function" && config.is_string()) {
    if (const LossFactory* factory = custom(custom_objects, config)) return (*factory)({{"name", config}});
    return std::nullopt;
  }
  if (!config.is_object()) return std::nullopt;
  if (is_function_loss_object(keras)) return function_loss_from_keras(keras, custom_objects);
  const LossFactory* factory = custom(custom_objects, keras.value("registered_name", Config()));
  if (factory == nullptr) factory = custom(custom_objects, keras["class_name"]);
  if (factory == nullptr) return std::nullopt;
  return (*factory)(config);
}

void check_object(const Config& keras) {
  if (!keras.is_object() || !keras.contains("class_name") || !keras["class_name"].is_string() ||
      !keras.contains("config") || !(keras["config"].is_object() || keras["config"].is_string())) {
    throw Error(fmt::format("expected \"loss\" as a name or a loss object, received {}", keras.dump().substr(0, 120)));
  }
}

}  // namespace

Config serialize(const Loss& loss) {
  if (is_registered(loss)) return loss.get_config();
  if (loss.is_function()) return function_loss_object(loss);
  Config config = {{"name", loss.name()}, {"reduction", loss.reduction()}};
  const Config options = loss.function().get_config();  // named: items() only refers to it
  for (const auto& [key, value] : options.items()) config[key] = value;
  return {{"module", nullptr},
          {"class_name", loss.class_name()},
          {"config", config},
          {"registered_name", loss.class_name()}};
}

Loss make(const Config& entry, const LossFactories& custom_objects) {
  if (entry.is_object() && entry.contains("class_name")) {
    check_object(entry);
    if (std::optional<Loss> loss = make_custom(entry, custom_objects)) return *loss;
    return Loss::from_config(from_keras(entry, {}));
  }
  return Loss::from_config(entry);
}

void check(const Config& entry, const LossFactories& custom_objects) {
  if (entry.is_null()) return;
  if (!entry.is_object()) throw Error(fmt::format("expected \"loss\" as an object or null, received {}", entry.dump()));
  (void)make(entry, custom_objects);
}

Config to_keras(const Config& entry) {
  if (!entry.is_object() || entry.contains("class_name")) return entry;  // a loss of one's own: Keras's already
  const Loss loss = Loss::from_config(entry);
  // A loss at its defaults goes by name, where keras.losses.get knows the name.
  if (registry::find(loss.name())->keras_name && loss.get_config() == Loss(loss.name()).get_config()) {
    return loss.name();
  }
  Config config = loss.function().get_config();
  config["reduction"] = loss.reduction();
  return {
      {"module", "keras.losses"}, {"class_name", loss.class_name()}, {"config", config}, {"registered_name", nullptr}};
}

Config from_keras(const Config& keras, const LossFactories& custom_objects) {
  if (keras.is_null()) return nullptr;
  if (keras.is_string()) {
    if (const LossFactory* factory = custom(custom_objects, keras)) {
      (void)(*factory)({{"name", keras}});  // made once, so that a bad factory is found here
      return function_object(keras.get<std::string>());
    }
    if (registry::find(keras.get<std::string>()) == nullptr) {
      throw Error(
          fmt::format("the loss \"{}\" is not supported by tkeras (a loss of one's own needs a factory in "
                      "load_model's custom_objects)",
                      keras.get<std::string>()));
    }
    return Loss(keras.get<std::string>()).get_config();
  }
  check_object(keras);
  // A loss of one's own, made by custom_objects: the entry keeps Keras's object.
  if (make_custom(keras, custom_objects)) return keras;
  const std::string class_name = keras["class_name"].get<std::string>();
  // A loss function, as Keras serializes `loss=keras.losses.mse`: by its name.
  if (class_name == "function" && keras["config"].is_string()) {
    return from_keras(keras["config"], custom_objects);
  }
  const registry::LossClass* found = registry::find(class_name);
  if (found == nullptr || found->class_name != class_name || !keras["config"].is_object()) {
    const Config registered = keras.value("registered_name", Config());
    throw Error(
        fmt::format("loss class \"{}\" is not supported by tkeras (a loss of one's own needs a factory "
                    "in load_model's custom_objects, under \"{}\")",
                    class_name, registered.is_string() ? registered.get<std::string>() : class_name));
  }
  return found->from_config(keras["config"]).get_config();
}

}  // namespace tkeras::losses::detail
