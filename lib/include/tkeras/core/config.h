// Config: a layer's or model's options as JSON, as Keras's `get_config()` dict.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tkeras/core/shape.h"

namespace tkeras {

/// The options of a layer or model as JSON, as Keras's `get_config()` returns a dict:
/// `{"name": "dense", "trainable": true, "units": 128, "activation": "relu", "use_bias": true}`.
/// Model files store it; `from_config` functions and `custom_objects` factories read it.
using Config = nlohmann::json;

/// Reads typed options out of a config, with errors that name the option, what was expected and
/// what was received: `expected "units" as a positive integer, received "ten"`. Absent options
/// take the default given, as Keras's constructors do.
///
/// Example:
/// ```
/// const tkeras::ConfigReader read(config);
/// int64_t units = read.positive_int("units");
/// std::string activation = read.string("activation", "linear");
/// ```
class ConfigReader {
 public:
  /// Reads `config`, which must be a JSON object (else throws `tkeras::Error`).
  explicit ConfigReader(const Config& config);

  /// Whether the option is present (and not null).
  bool has(std::string_view key) const;
  /// A required positive integer (at most 2^48). Throws `tkeras::Error` when absent or otherwise.
  int64_t positive_int(std::string_view key) const;
  /// An integer >= 0, or `fallback` when absent.
  int64_t non_negative_int(std::string_view key, int64_t fallback) const;
  /// A number, or `fallback` when absent.
  double number(std::string_view key, double fallback) const;
  /// A required number.
  double number(std::string_view key) const;
  /// A string, or `fallback` when absent. A null counts as absent (Keras writes `"activation":
  /// null` for none).
  std::string string(std::string_view key, std::string_view fallback) const;
  /// A boolean, or `fallback` when absent.
  bool boolean(std::string_view key, bool fallback) const;
  /// A list of one or two positive integers (`3` or `[3, 5]`), as Keras's kernel sizes: returns
  /// {height, width}.
  std::pair<int64_t, int64_t> size2(std::string_view key) const;
  /// A shape: a list of 1 to 16 positive integers, where `allow_unknown` also accepts one -1.
  Shape shape(std::string_view key, bool allow_unknown = false) const;
  /// The raw value of a required option.
  const Config& at(std::string_view key) const;

 private:
  const Config& config_;
};

}  // namespace tkeras
