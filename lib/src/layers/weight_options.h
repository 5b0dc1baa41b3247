// The options of a weight that Keras's layers take by a prefix (`kernel_initializer`,
// `kernel_regularizer`, `kernel_constraint`), written to and read from configs alike (internal).
#pragma once

#include <string_view>

#include "tkeras/constraints/constraint.h"
#include "tkeras/core/config.h"
#include "tkeras/initializers/initializer.h"
#include "tkeras/layers/layer.h"
#include "tkeras/regularizers/regularizer.h"

namespace tkeras::layers::weight_options {

/// A weight's initializer, regularizer and constraint (the public `layers::WeightOptions`).
using layers::WeightOptions;

/// Checks that each names a known class (as Keras's constructors call `get`); throws
/// `tkeras::Error` naming `layer` otherwise.
void check(std::string_view layer, const WeightOptions& options);
/// Writes `<prefix>_initializer`, `<prefix>_regularizer` and `<prefix>_constraint` as Keras's
/// `get_config` does (serialized objects; null for none). Throws `tkeras::Error` for an unknown
/// name.
void write(Config& config, std::string_view prefix, const WeightOptions& options);
/// Reads them from a config (Keras's or tkeras's); absent or null: `default_initializer`, no
/// regularizer, no constraint. Throws `tkeras::Error` naming the option for an unknown class or a
/// bad option.
WeightOptions read(const Config& config, std::string_view prefix, const char* default_initializer);
/// Reads Keras's `activity_regularizer` (absent or null: none), as `read` does.
regularizers::Identifier read_activity_regularizer(const Config& config);

}  // namespace tkeras::layers::weight_options
