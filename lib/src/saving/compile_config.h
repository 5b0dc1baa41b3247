// The compile settings in a model file's header, checked without LibTorch (internal).
//
// compile_config:
//   {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}},
//    "loss": {"name": "sparse_categorical_crossentropy", "from_logits": false} or null,
//    "metrics": ["accuracy"], "weighted_metrics": [], "jit_compile": false, "precision": "float32"}
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace tkeras::saving::config {

/// Parses and checks a compile_config (see above): a known optimizer class with numeric and
/// boolean options, a loss name or null, metric names. Names themselves are checked by
/// `compile`. Throws `tkeras::Error` naming `path`.
nlohmann::json check_compile_config(std::string_view text, std::string_view path);

}  // namespace tkeras::saving::config
