// Model: what every tkeras model offers: building, compile, fit, evaluate, predict, summary.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/callbacks/history.h"
#include "tkeras/core/logs.h"
#include "tkeras/core/shape.h"
#include "tkeras/layers/layer.h"
#include "tkeras/training/options.h"

namespace tkeras {

namespace training {
struct CompiledState;
}
namespace models::detail {
struct ModelFile;
}

/// The base of tkeras models, as Keras's `Model`: a network of layers that can be compiled,
/// trained with `fit`, scored with `evaluate` and run with `predict`. `Sequential` is the
/// model most programs use.
class Model {
 public:
  virtual ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  /// Set to true (from a callback) to stop `fit`, as Keras's `model.stop_training`: checked
  /// after every batch and every epoch; the epoch's logs, validation and `on_epoch_end` still
  /// run, and `on_train_end` always runs. `fit` resets it when it starts.
  bool stop_training = false;

  /// The model's type as Keras prints it: `Sequential`.
  virtual std::string class_name() const = 0;
  /// The model's unique name, as Keras's: `sequential`, `sequential_1`...
  const std::string& name() const { return name_; }

  /// Builds every layer for inputs of `input_shape` (without the batch axis), as Keras's
  /// `model.build`. Throws `tkeras::Error` if a layer cannot take the shape it receives.
  virtual void build(const Shape& input_shape) = 0;
  /// Whether the model's weights exist.
  virtual bool built() const = 0;
  /// The input shape without the batch axis. Throws if the model is not built.
  virtual const Shape& input_shape() const = 0;
  /// The output shape without the batch axis. Throws if the model is not built.
  virtual const Shape& output_shape() const = 0;
  /// The layer whose outputs are the model's outputs.
  virtual const layers::Layer& output_layer() const = 0;

  /// The forward pass on a batch (on the model's device). `training`: Default: false.
  virtual torch::Tensor call(const torch::Tensor& inputs, bool training = false) = 0;
  /// The forward pass without the output layer's final activation (the logits).
  virtual torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) = 0;

  /// All weights of all layers, in order.
  virtual std::vector<layers::Weight> weights() const = 0;
  /// The tensors the optimizer updates.
  std::vector<torch::Tensor> trainable_weights() const;
  /// Copies of all weights' values, in `weights()` order, as Keras's `get_weights`.
  std::vector<torch::Tensor> get_weights() const;
  /// Overwrites all weights in place from `values` (in `weights()` order), as Keras's
  /// `set_weights`. Throws `tkeras::Error` when the count or a shape differs.
  void set_weights(const std::vector<torch::Tensor>& values);
  /// Writes all weights to `path` in the safetensors format (an 8-byte length, a JSON header,
  /// then the raw little-endian tensors), one tensor per weight named `<layer>.<weight>`, the
  /// layers named within the model by kind and position as Keras 3's saving does (the first
  /// Dense `dense`, the second `dense_1`, whatever their global names): `dense.kernel`,
  /// `dense_1.bias`, `conv2d.kernel`, `batch_normalization.moving_mean`. The
  /// layouts are Keras's: a Dense kernel is `[inputs, units]` (PyTorch's `nn.Linear.weight` is
  /// its transpose), a Conv2D kernel `[height, width, in_channels, filters]` (PyTorch's
  /// `nn.Conv2d.weight` is its `permute(3, 2, 0, 1)`). The file is written atomically (a
  /// temporary file, fsync, rename). Throws `tkeras::Error` before the model is built.
  void save_weights(const std::string& path) const;
  /// Loads weights written by `save_weights` (or any safetensors file with the same names,
  /// shapes and dtypes) into the model in place, as Keras's `load_weights`. Everything is checked
  /// before any weight changes; throws `tkeras::Error` naming the file for: a file that is not
  /// valid safetensors, a missing or unexpected tensor, or a shape or dtype that differs from
  /// the model's. Throws before the model is built.
  void load_weights(const std::string& path);
  /// Writes the whole model to `path`, as Keras's `model.save`: the architecture (each layer's
  /// class and options, as JSON), the weights, the compile settings (optimizer with its current
  /// learning rate, loss, metrics) and the optimizer's state (Adam's moments and step count), so
  /// that `tkeras::models::load_model(path)` rebuilds a model that predicts the same and trains
  /// on from where this one stopped. The file is safetensors: the weights named as by
  /// `save_weights`, the optimizer's state as `optimizer.*` tensors, and the JSON in the header's
  /// `__metadata__` (`format` "tkeras.model", `format_version` "1", `model_config`,
  /// `compile_config`). Written atomically. Throws `tkeras::Error` before the model is built or
  /// for a layer type tkeras cannot describe (a user-defined layer: use `save_weights`).
  /// By convention the file ends in `.tkeras`.
  void save(const std::string& path) const;
  /// The number of scalars in all weights.
  int64_t count_params() const;

  /// Prints Keras's summary table (layer name and type, output shape, parameter count, then
  /// total, trainable and non-trainable parameters) to `out` and returns it. Default: stdout.
  std::string summary(std::ostream& out) const;
  /// Prints the summary to standard output and returns it.
  std::string summary() const;

  /// Configures the model for training, as Keras's `compile`: optimizer, loss, metrics and
  /// device. Checks every name at once and throws `tkeras::Error` listing the valid ones.
  /// Compiling again starts a fresh optimizer.
  ///
  /// Example:
  /// ```
  /// model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  /// ```
  void compile(const CompileOptions& options = {});
  /// Whether `compile` has run.
  bool compiled() const { return compiled_ != nullptr; }
  /// The device the model trains on (CPU until compiled).
  torch::Device device() const;
  /// The optimizer `compile` received, with the learning rate in use. Throws `tkeras::Error`
  /// before `compile`.
  const optimizers::Optimizer& optimizer() const;
  /// The optimizer's updates so far, as Keras's `model.optimizer.iterations`: one per batch,
  /// counted across `fit` calls; 0 after `compile`.
  int64_t optimizer_iterations() const;
  /// The optimizer's current learning rate (the configured one before the first `fit`).
  /// Throws `tkeras::Error` before `compile`.
  double learning_rate() const;
  /// Changes the learning rate in place, as assigning Keras's `optimizer.learning_rate`; the
  /// optimizer keeps its state. Throws `tkeras::Error` before `compile` or for a rate <= 0.
  void set_learning_rate(double learning_rate);

  /// Trains the model on inputs `x` (`[N, ...]`) and targets `y` (`[N, ...]`), as Keras's
  /// `fit`, and returns the per-epoch `History`. The data is moved to the model's device once;
  /// batches are cut there. Integer inputs are converted to float32 (not rescaled).
  ///
  /// Before any training it checks, and throws `tkeras::Error` for: no `compile`, no loss,
  /// `x` and `y` of different lengths, data whose shape does not fit the model's input,
  /// labels the output layer cannot produce, `validation_split` outside [0, 1), and
  /// non-positive `epochs` or `batch_size`.
  ///
  /// Example:
  /// ```
  /// tkeras::History history = model.fit(x_train, y_train, {.epochs = 5, .validation_split = 0.1});
  /// ```
  History fit(const torch::Tensor& x, const torch::Tensor& y, const FitOptions& options = {});

  /// Returns the loss and metrics on `x` and `y`, as Keras's `evaluate`, with the same checks
  /// as `fit`.
  Logs evaluate(const torch::Tensor& x, const torch::Tensor& y, const EvaluateOptions& options = {});

  /// Returns the model's outputs for `x`, batch by batch, on the device `x` came from: for a
  /// softmax output layer `[N, classes]` rows of probabilities that sum to 1. Needs no
  /// `compile`; builds the model from `x` if it is not built.
  torch::Tensor predict(const torch::Tensor& x, const PredictOptions& options = {});

 protected:
  /// Every weight as `<layer>.<weight>` with its tensor, in layer order, layers named by kind
  /// and position within the model.
  std::vector<std::pair<std::string, torch::Tensor>> named_weights() const;
  /// A model named from `prefix` (`sequential` -> `sequential`, `sequential_1`...).
  explicit Model(std::string_view prefix);

  /// Moves every weight to `device`, keeping its identity.
  virtual void move_weights(torch::Device device) = 0;
  /// The layers to list in `summary()`.
  virtual std::vector<std::shared_ptr<layers::Layer>> summary_layers() const = 0;

 private:
  friend struct models::detail::ModelFile;

  std::string name_;
  std::shared_ptr<training::CompiledState> compiled_;
  // The epoch `fit` starts at when a callback restored a run in on_train_begin (BackupAndRestore).
  std::optional<int> resume_epoch_;
};

}  // namespace tkeras
