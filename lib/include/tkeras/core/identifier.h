// ObjectIdentifier: an option that names a Keras object or holds one, as Keras's
// `initializers.get`, `regularizers.get` and `constraints.get` take.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace tkeras {

/// What a layer's `kernel_initializer`, `kernel_regularizer` or `kernel_constraint` option holds:
/// nothing (Keras's `None`), a name (`"he_normal"`, `"l2"`, `"NonNeg"`), or an object of a class
/// derived from `Base` (`tkeras::regularizers::L2(1e-4)`, or a shared pointer to one). The objects
/// are stateless, so a copy shares them.
///
/// Example:
/// ```
/// tkeras::layers::Dense(64, "relu", {.kernel_initializer = "he_normal",
///                                    .kernel_regularizer = tkeras::regularizers::L2(1e-4)});
/// ```
template <typename Base>
class ObjectIdentifier {
 public:
  /// Nothing: Keras's `None`.
  ObjectIdentifier() = default;
  /// Nothing: Keras's `None`.
  ObjectIdentifier(std::nullptr_t) {}  // NOLINT: implicit, as Keras's None
  /// An object by name (`"glorot_uniform"`), made with its defaults when used.
  ObjectIdentifier(const char* name) : name_(name) {}  // NOLINT: implicit, as Keras's strings
  /// An object by name, as above.
  ObjectIdentifier(std::string name) : name_(std::move(name)) {}  // NOLINT: implicit, as above
  /// An object, copied.
  template <std::derived_from<Base> T>
  ObjectIdentifier(T object) : object_(std::make_shared<T>(std::move(object))) {}  // NOLINT: implicit, as above
  /// An object, shared.
  template <std::derived_from<Base> T>
  ObjectIdentifier(std::shared_ptr<T> object) : object_(std::move(object)) {}  // NOLINT: implicit, as above

  /// Whether it holds nothing (no name, no object).
  bool is_none() const { return name_.empty() && object_ == nullptr; }
  /// The name given; empty for an object or nothing.
  const std::string& name() const { return name_; }
  /// The object given; null for a name or nothing.
  const std::shared_ptr<const Base>& object() const { return object_; }

 private:
  std::string name_;
  std::shared_ptr<const Base> object_;
};

}  // namespace tkeras
