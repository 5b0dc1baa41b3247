// The one exception type tkeras throws.
#pragma once

#include <stdexcept>
#include <string>

namespace tkeras {

/// The exception every tkeras function throws for bad input or a failed operation.
///
/// Its message says what was expected and what was received, and names the layer, model,
/// option or file involved, for example:
/// `Dense "dense_1": expected input with 784 features, received shape [32, 28, 28]`.
/// Errors are raised at public entry points (compile, fit, build, loaders) before any
/// training starts.
class Error : public std::runtime_error {
 public:
  /// Creates an error with the given message.
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tkeras
