// The optimizer classes compile and the model files can name: each class registers itself from its
// own source, as Keras's register_keras_serializable (internal).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers::registry {

/// What tkeras knows about an optimizer class before it has an instance.
struct OptimizerClass {
  std::string class_name;                               ///< Keras's class name: `Adam`.
  std::string name;                                     ///< The name compile takes: `adam`.
  std::function<Optimizer(const Config&)> from_config;  ///< Makes one from its `get_config()`.
};

/// Adds a class. Throws `tkeras::Error` for a name registered twice, or a class whose optimizers
/// have another class name than the one it is registered as.
void add(OptimizerClass optimizer_class);
/// The class whose name or class name is `name`, or null.
const OptimizerClass* find(std::string_view name);
/// Every registered name (`adam`), sorted.
std::vector<std::string> names();
/// Every registered class name (`Adam`), sorted.
std::vector<std::string> class_names();

/// Registers `O` as Keras's class `class_name` when the library loads: one per class, at namespace
/// scope in the class's own source. Its short name is that of `O()` (the class with Keras's
/// defaults); `O::from_config(config)` makes one from a config.
///
/// Example:
/// ```
/// const registry::Registrar<Adam> adam_registration("Adam");
/// ```
template <typename O>
class Registrar {
 public:
  explicit Registrar(const char* class_name) {
    add({.class_name = class_name, .name = O().name(), .from_config = [](const Config& config) -> Optimizer {
           return O::from_config(config);
         }});
  }
};

}  // namespace tkeras::optimizers::registry
