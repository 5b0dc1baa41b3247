// Losses to and from tkeras's compile_config entries and Keras's serialized loss objects.
#include "losses/serialization.h"

#include <fmt/format.h>

#include "losses/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::detail {

Config serialize(const Loss& loss) {
  const registry::LossClass* found = registry::find(loss.name());
  if (found == nullptr || found->class_name != loss.class_name()) {
    throw Error(
        fmt::format("the loss \"{}\" ({}) is a LossFunction of your own, which a model file cannot rebuild "
                    "yet; save the weights (save_weights), or save the model before compile",
                    loss.name(), loss.class_name()));
  }
  return loss.get_config();
}

void check(const Config& entry) {
  if (entry.is_null()) return;
  if (!entry.is_object()) throw Error(fmt::format("expected \"loss\" as an object or null, received {}", entry.dump()));
  (void)Loss::from_config(entry);
}

Config to_keras(const Config& entry) {
  if (!entry.is_object()) return entry;
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

Config from_keras(const Config& keras) {
  if (keras.is_null()) return nullptr;
  if (keras.is_string()) {
    if (registry::find(keras.get<std::string>()) == nullptr) {
      throw Error(fmt::format("the loss \"{}\" is not supported by tkeras", keras.get<std::string>()));
    }
    return Loss(keras.get<std::string>()).get_config();
  }
  if (!keras.is_object() || !keras.contains("class_name") || !keras["class_name"].is_string() ||
      !keras.contains("config") || !(keras["config"].is_object() || keras["config"].is_string())) {
    throw Error(fmt::format("expected \"loss\" as a name or a loss object, received {}", keras.dump().substr(0, 120)));
  }
  const std::string class_name = keras["class_name"].get<std::string>();
  // A loss function, as Keras serializes `loss=keras.losses.mse`: by its name.
  if (class_name == "function" && keras["config"].is_string()) {
    return from_keras(keras["config"]);
  }
  const registry::LossClass* found = registry::find(class_name);
  if (found == nullptr || found->class_name != class_name || !keras["config"].is_object()) {
    throw Error(fmt::format("loss class \"{}\" is not supported by tkeras", class_name));
  }
  return found->from_config(keras["config"]).get_config();
}

}  // namespace tkeras::losses::detail
