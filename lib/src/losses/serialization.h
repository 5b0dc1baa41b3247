// Losses in tkeras's compile_config and in Keras's config.json, both ways (internal).
#pragma once

#include "tkeras/core/config.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::detail {

/// `loss.get_config()`, for a model file. Throws `tkeras::Error` for a loss of one's own (a
/// `LossFunction` whose name no class registered), which a file cannot rebuild.
Config serialize(const Loss& loss);
/// Throws `tkeras::Error` (a message without the file's name) unless `entry` is null or what
/// `Loss::get_config()` writes: a registered `name` and that class's options.
void check(const Config& entry);
/// A loss entry (or null) as Keras's compile_config holds the loss: its name when its options are
/// at their defaults, else the loss object `keras.losses.serialize` writes.
Config to_keras(const Config& entry);
/// Keras's compile_config `loss` (null, a name or a serialized loss object) as an entry, or null.
/// Throws `tkeras::Error` (a message without the file's name) for a loss class or an option tkeras
/// does not have.
Config from_keras(const Config& keras);

}  // namespace tkeras::losses::detail
