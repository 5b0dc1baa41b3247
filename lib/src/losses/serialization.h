// Losses in tkeras's compile_config and in Keras's config.json, both ways (internal).
#pragma once

#include <optional>
#include <string>

#include "tkeras/core/config.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::detail {

// ---- Defined in loss.cpp, beside the class of a loss written as a function. ----

/// The factory `custom_objects` holds under `key`, or null.
const LossFactory* custom(const LossFactories& custom_objects, const Config& key);
/// Keras's serialized form of a loss written as a function (`loss.is_function()`): the function's
/// own form at Keras's default reduction, else Keras's `LossFunctionWrapper` around it.
Config function_loss_object(const Loss& loss);
/// Whether `keras` is Keras's `LossFunctionWrapper` around a function (what
/// `function_loss_object` writes at another reduction).
bool is_function_loss_object(const Config& keras);
/// The loss of such a wrapper, made by the function's factory in `custom_objects` with the
/// wrapper's reduction; none when `custom_objects` has none.
std::optional<Loss> function_loss_from_keras(const Config& keras, const LossFactories& custom_objects);

// ---- Losses in model files. ----

/// A loss as a model file's compile_config keeps it: `loss.get_config()` for one of tkeras's
/// classes; for a loss of one's own, Keras's serialized object (a function loss as Keras writes a
/// function, `{"class_name": "function", "config": name}`; a class of one's own as
/// `{"module": null, "class_name", "config", "registered_name"}`), which `load_model` makes again
/// through `custom_objects`.
Config serialize(const Loss& loss);
/// The loss a compile_config entry describes (what `serialize` writes), a loss of one's own made
/// by `custom_objects`. Throws `tkeras::Error` (a message without the file's name) for an unknown
/// name or class, or a bad option.
Loss make(const Config& entry, const LossFactories& custom_objects);
/// Throws `tkeras::Error` as `make` does unless `entry` is null or a loss `make` can make.
void check(const Config& entry, const LossFactories& custom_objects);
/// A loss entry (or null) as Keras's compile_config holds the loss: its name when its options are
/// at their defaults, else the loss object `keras.losses.serialize` writes.
Config to_keras(const Config& entry);
/// Keras's compile_config `loss` (null, a name or a serialized loss object) as an entry, or null;
/// a loss of one's own is found in `custom_objects` first, as Keras looks there first. Throws
/// `tkeras::Error` (a message without the file's name) for a loss class or an option tkeras does
/// not have.
Config from_keras(const Config& keras, const LossFactories& custom_objects);

}  // namespace tkeras::losses::detail
