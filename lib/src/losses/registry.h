// The loss classes compile and the model files can name: each class registers itself from its own
// source, as Keras's register_keras_serializable (internal).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/options_reader.h"
#include "tkeras/core/config.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::registry {

/// What tkeras knows about a loss class before it has an instance.
struct LossClass {
  std::string class_name;            ///< Keras's class name: `MeanSquaredError`.
  std::string name;                  ///< The name compile takes and files keep: `mean_squared_error`.
  std::vector<std::string> aliases;  ///< Keras's other names for it: `mse`, `MSE`.
  /// Whether `keras.losses.get` knows `name` (Keras 3.15 lacks one for a few classes).
  bool keras_name = true;
  /// Makes one from its options (`LossFunction::get_config()`'s keys, and `reduction`); throws
  /// `tkeras::Error` for an option the class does not have, or a bad value.
  std::function<Loss(const Config&)> from_config;
};

/// Adds a class. Throws `tkeras::Error` for a name registered twice.
void add(LossClass loss_class);
/// The class whose name, alias or class name is `name`, or null.
const LossClass* find(std::string_view name);
/// Every registered name and alias, sorted.
std::vector<std::string> names();

/// Registers a loss class when the library loads: one per class, at namespace scope in the
/// class's own source.
///
/// Example:
/// ```
/// const registry::Registrar huber_registration({.class_name = "Huber", .name = "huber", .from_config = ...});
/// ```
class Registrar {
 public:
  explicit Registrar(LossClass loss_class) { add(std::move(loss_class)); }
};

/// The reader of a loss's options (`tkeras::detail::OptionsReader`).
using OptionsReader = tkeras::detail::OptionsReader;
/// The reduction option: `sum_over_batch_size` when absent, `none` for null (Keras's `None`).
std::string reduction(OptionsReader& read);

/// Throws `tkeras::Error` unless `reduction` is one of Keras's reductions.
void check_reduction(std::string_view reduction);

}  // namespace tkeras::losses::registry
