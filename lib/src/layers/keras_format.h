// How layers meet Keras's .keras archives: the writer and reader a layer's to_keras and its
// class's from_keras talk to, and what every layer entry shares (internal).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "tkeras/core/config.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::keras_format {

/// Writes layers into a `.keras` archive (the saving floor implements it).
class Writer {
 public:
  virtual ~Writer() = default;
  /// Keras's entry for `layer` at `path` in the archive (a nested layer: a model's, a wrapper's).
  virtual Config entry(const Layer& layer, const std::string& path) = 0;
  /// Adds the file `name` (`assets/...`) to the archive.
  virtual void add_file(const std::string& name, std::string contents) = 0;
};

/// Reads layers from a `.keras` archive (the saving floor implements it).
class Reader {
 public:
  virtual ~Reader() = default;
  /// tkeras's entry for Keras's `entry` at `path`, its options checked; `where` names it in
  /// messages (a nested layer: a model's, a wrapper's).
  virtual Config entry(const Config& entry, const std::string& path, const std::string& where) = 0;
  /// The archive's file `name`, or null.
  virtual const std::string* file(const std::string& name) const = 0;
  /// The custom objects `load_model` was given.
  virtual const CustomObjects& custom_objects() const = 0;
  /// Throws `tkeras::Error` naming `where` for an option of `entry` the tkeras class would not
  /// honour: one its `get_config` lacks, unless Keras's value does nothing; a dtype but float32.
  virtual void check_options(const Config& entry, const std::string& where) = 0;
};

/// `{"module", "class_name", "config", "registered_name"}` for `layer` with `config`, as Keras
/// serializes objects. `module`: Default: `keras.layers`.
Config entry(const Layer& layer, Config config, const std::string& module = "keras.layers");

/// Throws `tkeras::Error`: `layer` runs C++ code (a `TorchModule`, a `Lambda`), which Keras cannot.
[[noreturn]] void refuse_code(const Layer& layer);

/// The name of a Keras dtype, or of a DTypePolicy entry's (`float32`, `mixed_float16`).
std::string dtype_name(const Config& dtype);

/// `path/name`, or `name` at the top (`path` empty).
std::string join(const std::string& path, const std::string& name);

/// The names Keras's saving gives a model's layers in the archive (`layers/<name>`, where their
/// variables and assets go): not their own names, which vary between runs, but each one's class in
/// snake_case with a counter per class (`dense`, `dense_1`, `text_vectorization`), in the order of
/// the model's layers, as Keras's `_save_container_state`.
class SavedNames {
 public:
  /// The next layer's name, for Keras's class `class_name` (`TextVectorization`).
  std::string next(std::string_view class_name);

 private:
  std::map<std::string, int, std::less<>> used_;
};

}  // namespace tkeras::layers::keras_format
