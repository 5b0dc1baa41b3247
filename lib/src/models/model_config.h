// The JSON in a model file's header: the architecture and the compile settings, checked without
// LibTorch so that the fuzzer can drive it (internal).
//
// model_config, as Keras's `model.get_config()` wrapped with its class:
//   {"class_name": "Sequential", "config": {"layers": [
//     {"class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28]}},
//     {"class_name": "Flatten", "config": {}},
//     {"class_name": "Dense", "config": {"units": 128, "activation": "relu", "use_bias": true}}, ...]}}
// compile_config:
//   {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}},
//    "loss": {"name": "sparse_categorical_crossentropy", "from_logits": false} or null,
//    "metrics": ["accuracy"]}
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tkeras/core/shape.h"

namespace tkeras::models::config {

/// The layer types a model file can hold, as Keras names them.
inline constexpr std::string_view kLayerClasses[] = {
    "InputLayer", "Dense",   "Flatten", "Activation", "Dropout",           "Conv2D",          "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling2D", "BatchNormalization", "Rescaling", "Reshape"};

/// A model_config that passed `check_model_config`.
struct CheckedModel {
  nlohmann::json layers;      ///< The layers after the InputLayer, each {"class_name", "config"}.
  Shape input_shape;          ///< The InputLayer's shape without the batch axis.
  int64_t weight_values = 0;  ///< How many scalars the layers' weights hold together.
};

/// Parses and checks a model_config: a Sequential whose first layer is an InputLayer with a
/// shape of positive sizes, then layers of known classes whose options have the right JSON types
/// and ranges, and whose shapes work out from the input to the output. The weights' size is
/// computed from the shapes, without allocating it, so that a file cannot make the loader build
/// a model larger than the tensors the file holds. Throws `tkeras::Error` naming `path`, the
/// layer's position and class, and what was expected.
CheckedModel check_model_config(std::string_view text, std::string_view path);

/// Parses and checks a compile_config (see above): a known optimizer class with numeric and
/// boolean options, a loss name or null, metric names. Names themselves are checked by
/// `compile`. Throws `tkeras::Error` naming `path`.
nlohmann::json check_compile_config(std::string_view text, std::string_view path);

}  // namespace tkeras::models::config
