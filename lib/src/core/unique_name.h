// Keras-style unique names for layers and models (internal).
#pragma once

#include <string>
#include <string_view>

namespace tkeras {

/// Returns `prefix` the first time, then `prefix_1`, `prefix_2`... counting per prefix in the
/// process, as Keras names layers and models. Thread-safe.
std::string unique_name(std::string_view prefix);

}  // namespace tkeras
