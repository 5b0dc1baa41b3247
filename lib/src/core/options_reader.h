// OptionsReader: reads the options of a Keras object's config (a loss, metric, initializer,
// regularizer or constraint), checking that every option was asked for (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tkeras/core/config.h"

namespace tkeras::detail {

/// Reads an object's options: each read marks its key, and `done` throws `tkeras::Error` naming
/// the first key no read asked for (Keras's `name` and `dtype` are allowed and ignored). Every
/// error names the class, the option, what was expected and what came.
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
  /// The raw value of `key` (null when absent), marked as read.
  const Config& value(std::string_view key);
  /// Whether `key` is present, null or not (marks nothing).
  bool has(std::string_view key) const { return options_.contains(key); }
  /// The class name given, for errors.
  const std::string& class_name() const { return class_name_; }
  /// Throws for a key no read asked for.
  void done() const;

 private:
  const Config& at(std::string_view key);
  const Config& options_;
  std::string class_name_;
  std::vector<std::string> read_;
};

/// An object's class name and options, as Keras serializes it: a name (no options), or
/// `{"class_name": ..., "config": ...}` (`"module"` and `"registered_name"` allowed). Throws
/// `tkeras::Error` naming `kind` (`"initializer"`) otherwise.
struct ClassAndOptions {
  std::string class_name;  ///< The name or class name.
  Config options;          ///< The config: an object, empty when none.
};
/// Reads `config` as `ClassAndOptions`.
ClassAndOptions class_and_options(const Config& config, std::string_view kind);

}  // namespace tkeras::detail
