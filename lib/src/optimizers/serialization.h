// Optimizers to and from their serialized forms: tkeras's compile_config entry {"class_name",
// "config"} and Keras's config.json object, through the registry (internal).
#pragma once

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers::detail {

/// `{"class_name": "Adam", "config": optimizer.get_config()}`: a compile_config's `optimizer`.
Config serialize(const Optimizer& optimizer);
/// Throws `tkeras::Error` (a message without the file's name) unless `entry` is what `serialize`
/// writes: an object with a registered `class_name` and a `config` object of numbers and booleans
/// (the learning rate may be a serialized schedule).
void check(const Config& entry);
/// The optimizer of an entry `check` accepted, by its class's `from_config`.
Optimizer deserialize(const Config& entry);

/// An entry as Keras's `keras.optimizers.serialize` writes it in a `.keras` file's config.json.
Config to_keras(const Config& entry);
/// Keras's config.json `optimizer` (a name or a serialized object) as an entry, with Keras's
/// options that do nothing dropped. Throws `tkeras::Error` (a message without the file's name) for
/// an unknown name, or an option tkeras does not have (EMA, loss scaling, gradient accumulation).
Config from_keras(const Config& keras);

}  // namespace tkeras::optimizers::detail
