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

/// Reads a loss's options: each read marks its key, and `done` throws `tkeras::Error` naming the
/// first key no read asked for (Keras's `name` and `dtype` are allowed and ignored).
class OptionsReader {
 public:
  /// Reads `options` (a JSON object, else throws) for the class `class_name`.
  OptionsReader(const Config& options, std::string_view class_name);
  /// A number, or `fallback` when absent.
  double number(std::string_view key, double fallback);
  /// A boolean, or `fallback` when absent.
  bool boolean(std::string_view key, bool fallback);
  /// An integer, or `fallback` when absent (or null).
  int64_t integer(std::string_view key, int64_t fallback);
  /// An integer or null (absent counts as null).
  std::optional<int64_t> optional_integer(std::string_view key);
  /// Null (absent), an integer, or a list of integers: Keras's `axis` of the segmentation losses.
  std::optional<std::vector<int64_t>> axes(std::string_view key);
  /// A string, or `fallback` when absent (or null).
  std::string string(std::string_view key, std::string_view fallback);
  /// A number or null (absent counts as null).
  std::optional<double> optional_number(std::string_view key);
  /// Null (absent), a number, or a list of numbers (or Keras's serialized tensor of them, as
  /// AUC's `label_weights`): Keras's `thresholds`.
  std::optional<std::vector<double>> numbers(std::string_view key);
  /// Null (absent), an integer, or a list of integers (as `axes`): Keras's `target_class_ids`.
  std::optional<std::vector<int64_t>> integers(std::string_view key) { return axes(key); }
  /// The reduction: `sum_over_batch_size` when absent, `none` for null (Keras's `None`).
  std::string reduction();
  /// Throws for a key no read asked for.
  void done() const;

 private:
  const Config& at(std::string_view key);
  const Config& options_;
  std::string class_name_;
  std::vector<std::string> read_;
};

/// Throws `tkeras::Error` unless `reduction` is one of Keras's reductions.
void check_reduction(std::string_view reduction);

}  // namespace tkeras::losses::registry
