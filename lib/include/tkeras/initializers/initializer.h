// Initializer: what draws a weight's first values, as keras.initializers.Initializer, and the
// functions that name, save and read initializers (get, serialize, deserialize).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/identifier.h"
#include "tkeras/core/shape.h"

namespace tkeras::initializers {

/// The base of every initializer, as Keras's `keras.initializers.Initializer`: called with a
/// weight's shape (Keras's layout: a Dense kernel is `[inputs, units]`), it gives its values in
/// float32. A layer calls it when it is built.
///
/// Example:
/// ```
/// torch::Tensor kernel = tkeras::initializers::HeNormal({.seed = 7})({784, 128});
/// ```
class Initializer {
 public:
  virtual ~Initializer() = default;
  /// The values for a weight of `shape`, float32 on the CPU; on the meta device when `options`
  /// name it (a dry build draws nothing). `options`: Default: the CPU.
  torch::Tensor operator()(const Shape& shape, const torch::TensorOptions& options = {}) const;
  /// Keras's class name: `GlorotUniform`.
  virtual std::string class_name() const = 0;
  /// The options, as Keras's `get_config()`: `{"seed": null}`. Default: none.
  virtual Config get_config() const { return Config::object(); }

 protected:
  /// Draws the values of `shape` (float32, CPU).
  virtual torch::Tensor generate(const Shape& shape) const = 0;
};

/// What a layer's `*_initializer` option holds: a name (`"he_normal"`, `"zeros"`, a class name
/// such as `"Orthogonal"`) or an initializer (`tkeras::initializers::HeNormal({.seed = 1})`).
using Identifier = ObjectIdentifier<Initializer>;

/// The initializer `identifier` names or holds, as Keras's `keras.initializers.get`. Throws
/// `tkeras::Error` for an unknown name or for nothing.
std::shared_ptr<const Initializer> get(const Identifier& identifier);
/// Makes an initializer from Keras's serialized form: a name, or `{"class_name": ..., "config":
/// ...}` (`"module"` and `"registered_name"` allowed). Throws `tkeras::Error` naming an unknown
/// class or option.
std::shared_ptr<const Initializer> deserialize(const Config& config);
/// Keras's serialized form of `initializer`: `{"module": "keras.initializers", "class_name",
/// "config", "registered_name": null}`.
Config serialize(const Initializer& initializer);
/// Keras's serialized form of `identifier`, as a layer's `get_config` writes it.
Config serialize(const Identifier& identifier);
/// Every name `get` takes besides the class names, sorted.
std::vector<std::string> names();

}  // namespace tkeras::initializers
