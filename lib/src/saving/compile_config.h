// The compile settings in a model file's header, checked before anything is built (internal).
//
// compile_config:
//   {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}},
//    "loss": {"name": "sparse_categorical_crossentropy", "from_logits": false} or null,
//    "metrics": ["accuracy"], "weighted_metrics": [], "jit_compile": false, "precision": "float32"}
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "tkeras/saving/custom_objects.h"

namespace tkeras::saving::config {

/// Parses and checks a compile_config (see above): a known optimizer class with numeric and
/// boolean options, a loss (a name, or one of one's own that `custom_objects` makes) or null,
/// metrics. Metric names themselves are checked by `compile`. Throws `tkeras::Error` naming `path`.
nlohmann::json check_compile_config(std::string_view text, std::string_view path,
                                    const CustomObjects& custom_objects = {});

}  // namespace tkeras::saving::config
