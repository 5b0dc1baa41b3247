// Layers to and from Keras's serialized form {"class_name", "config"}, through the registry (internal).
#pragma once

#include <memory>
#include <string>

#include "tkeras/core/config.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::detail {

/// `{"class_name": ..., "config": layer.get_config()}`, with `"registered_name"` for a layer that
/// needs a custom object to be rebuilt (a TorchModule, a Lambda).
Config serialize(const layers::Layer& layer);

/// The layer an entry `serialize` wrote describes, unbuilt: made by `custom_objects` (by the
/// entry's `registered_name`, then its `class_name`), else by the class's own `from_config`
/// (a Sequential's, for a model inside the model). Throws `tkeras::Error` for an entry that is not
/// an object with a `class_name` string and a `config` object, an unknown class (listing the
/// known ones), a layer that needs a custom object none was given for (saying how to give one),
/// or a bad option.
std::shared_ptr<layers::Layer> deserialize(const Config& entry, const layers::CustomObjects& custom_objects);

/// Whether `custom_objects` make the layer of `entry` (by its `registered_name`, then its
/// `class_name`), rather than its class.
bool made_by_custom_object(const Config& entry, const layers::CustomObjects& custom_objects);

/// ` (Dense)` for an entry of class Dense, empty when the entry names no class: for messages.
std::string class_label(const Config& entry);

}  // namespace tkeras::layers::detail
