// The layer classes a model file can name, each rebuilt by its own from_config (internal).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "tkeras/core/config.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::registry {

/// Rebuilds a layer of one class from its config.
using FromConfig = std::function<std::shared_ptr<Layer>(const Config&)>;

/// Every layer class tkeras rebuilds from its config alone, by Keras class name: `Dense` ->
/// `Dense::from_config`. (`Sequential` is the models' to add; `TorchModule` and `Lambda` hold
/// code and need a custom object.)
const std::map<std::string, FromConfig, std::less<>>& builtin();

}  // namespace tkeras::layers::registry
