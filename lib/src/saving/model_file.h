// Whole-model files: what Model::save writes, load_model reads and BackupAndRestore keeps
// (internal).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "tkeras/core/config.h"
#include "tkeras/models/model.h"
#include "tkeras/saving/load_model.h"

namespace tkeras::saving::detail {

/// Reads and writes model files for `Model::save`, `load_model` and `BackupAndRestore`; a friend
/// of `Model`, so that the file format stays out of the public header.
struct ModelFile {
  /// The `format` a model file's metadata names, and the version this tkeras writes and reads.
  static constexpr const char* kFormat = "tkeras.model";
  static constexpr const char* kVersion = "1";

  /// Writes `model` (see `Model::save`) with `metadata` and `tensors` added (names must not clash
  /// with the model's).
  static void save(const Model& model, const std::string& path, const std::map<std::string, std::string>& metadata = {},
                   const io::NamedTensors& tensors = {});
  /// Reads a model file, checking its layout, format and version.
  static io::SafetensorsFile read(const std::string& path);
  /// Checks a file `read` returned as `load` does, without allocating any weight: the model is
  /// rebuilt from its config and built on LibTorch's meta device, and its weights compared with
  /// the file's tensors. Returns that meta model. Throws `tkeras::Error` naming `path`.
  static std::shared_ptr<Model> check(const io::SafetensorsFile& file, const std::string& path,
                                      const CustomObjects& custom_objects = {});
  /// See `load_model`.
  static std::shared_ptr<Model> load(const std::string& path, const models::LoadModelOptions& options);
  /// Puts the file's weights and optimizer state into `model`, which must have the file's
  /// architecture (`rng.*` tensors, a backup's random state, are the caller's). Everything is
  /// checked before anything changes.
  static void restore(Model& model, const io::SafetensorsFile& file, const std::string& path);
  /// The model's architecture as the model_config JSON text.
  static std::string model_config(const Model& model);
  /// A model_config's architecture alone, without the layers' names and trainable flags: two
  /// models built by the same code in two processes have the same one.
  static std::string architecture(const std::string& model_config_text);
  /// The model a model_config describes (tkeras's JSON, or Keras's config.json, which it reads
  /// too), built for its input shape on `device` (the meta device allocates nothing). Errors name
  /// `path`.
  static std::shared_ptr<Model> build(const Config& config, const layers::CustomObjects& custom_objects,
                                      const std::string& path, torch::Device device);
  /// The model's compile settings as the compile_config JSON (null when not compiled).
  static Config compile_config(const Model& model);
  /// Compiles `model` with a checked compile_config (unless it is null or `options.compile` is
  /// false). Errors name `path`.
  static void compile_from(Model& model, const Config& compile, const models::LoadModelOptions& options,
                           const std::string& path);

  /// The bytes of `model` as Keras 3's `.keras` file (keras_file.cpp): `metadata.json`,
  /// `config.json` in Keras's object structure, `model.weights.h5` with the optimizer's variables,
  /// and the assets Keras keeps apart (a TextVectorization's vocabulary).
  static std::string keras_archive(const Model& model);
  /// Rebuilds the model of a `.keras` file's bytes (keras_file.cpp); see `load_model`.
  static std::shared_ptr<Model> load_keras(std::string_view bytes, const std::string& path,
                                           const models::LoadModelOptions& options);

  /// Makes the model's next `fit` start at `epoch` (when called from `on_train_begin`).
  static void resume_at(Model& model, int epoch) { model.resume_epoch_ = epoch; }
};

/// Throws `tkeras::Error` naming `path` unless `theirs` holds exactly the model's weights `ours`
/// (names, shapes, dtypes), ignoring tensors whose names start with one of `other_prefixes`.
void check_weights(const Model& model, const io::NamedTensors& ours, const io::NamedTensors& theirs,
                   const std::string& path, const std::vector<std::string>& other_prefixes = {});
/// Copies the values of `theirs` into the weights `ours` of the same names (checked first).
void copy_weights(const io::NamedTensors& ours, const io::NamedTensors& theirs);

}  // namespace tkeras::saving::detail
