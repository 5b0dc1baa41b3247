// Model: a layer made of layers that can be compiled, trained, evaluated, run, saved and summarised.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/logs.h"
#include "tkeras/core/shape.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/layer.h"
#include "tkeras/models/options.h"
#include "tkeras/training/history.h"

namespace tkeras {

namespace training {
class CompiledState;
struct FitData;
}  // namespace training
namespace saving::detail {
struct ModelFile;
}
namespace models::detail {
struct Graph;
}
namespace layers::keras_format {
class Reader;
}

/// The options of a Functional model, as Keras's `Model(inputs, outputs, name=...)`.
struct ModelOptions {
  /// The model's name. Default: Keras's `functional`, `functional_1`...
  std::string name;
  /// Whether `fit` trains its layers. Default: true.
  bool trainable = true;
};

/// The base of tkeras models, as Keras's `Model`: a network of layers that can be compiled,
/// trained with `fit`, scored with `evaluate` and run with `predict`. `Sequential` is the
/// model most programs use.
///
/// A model is itself a layer, so one model can be a layer of another (transfer learning), and,
/// like every layer, a `torch::nn::Module`: its layers are its submodules, named by kind and
/// position (`dense`, `dense_1`), so that `named_parameters()` gives `dense.kernel`,
/// `dense.bias`..., `torch::save(model, path)` and `torch::load` round-trip it, and a model can
/// be a submodule of a LibTorch module trained by a LibTorch loop.
class Model : public layers::Layer {
 public:
  /// A Functional model, as Keras's `keras.Model(inputs, outputs)`: the layer calls that lead from
  /// the symbolic `inputs` (`tkeras::Input`s, or any tensors of another model's graph) to
  /// `outputs`, run in topological order. Each may be one tensor or a list. Its layers are shared
  /// with every other model drawn on the same calls (a model cut from another trains the same
  /// weights). The model is built at once. Throws `tkeras::Error`, before anything runs, for an
  /// output that the inputs do not reach (naming the layer and the tensor it lacks), an `Input` no
  /// layer reads, and two layers of one name. An input that other layers read but these outputs
  /// do not is kept, its data ignored, as in Keras (a cut from a model of several inputs).
  ///
  /// Example:
  /// ```
  /// tkeras::KerasTensor inputs = tkeras::Input({16});
  /// tkeras::KerasTensor x = tkeras::layers::Dense(16, "relu")(inputs);
  /// x = tkeras::layers::Add()({x, inputs});  // a skip connection
  /// tkeras::Model model(inputs, tkeras::layers::Dense(1)(x), {.name = "residual"});
  /// ```
  Model(const KerasTensors& inputs, const KerasTensors& outputs, const ModelOptions& options = {});
  /// Takes `other`'s layers, weights, compile settings and optimizer state.
  Model(Model&& other) noexcept;
  ~Model() override;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  Model& operator=(Model&&) = delete;

  // LibTorch's module serialisation (`torch::save`, `torch::load`) beside Keras's `save(path)`.
  using torch::nn::Module::load;
  using torch::nn::Module::save;

  /// Set to true (from a callback) to stop `fit`, as Keras's `model.stop_training`: checked
  /// after every batch and every epoch; the epoch's logs, validation and `on_epoch_end` still
  /// run, and `on_train_end` always runs. `fit` resets it when it starts.
  bool stop_training = false;

  /// The layers, in order, as Keras's `model.layers`: a Sequential's without its Input; a
  /// Functional model's from the inputs (its `InputLayer`s first) to the outputs, by depth.
  virtual std::vector<std::shared_ptr<layers::Layer>> layers() const;
  /// A Functional model's symbolic inputs, as Keras's `model.inputs`. Throws `tkeras::Error` for a
  /// Sequential not drawn on symbolic tensors.
  const KerasTensors& inputs() const;
  /// A Functional model's symbolic outputs, as Keras's `model.outputs`.
  const KerasTensors& outputs() const;
  /// Whether the model is a graph of layer calls (Functional), rather than a Sequential's stack.
  bool functional() const { return graph_ != nullptr; }
  /// A Functional model's layer calls, in the order it runs them (without its inputs' own): each
  /// `Node` is a layer and the tensors it read. Empty for a Sequential.
  std::vector<std::shared_ptr<const layers::Node>> nodes() const;
  /// Runs the model on one tensor per input, in order, and returns one per output, as Keras's
  /// `model([a, b])` on data. `training`: Default: false.
  std::vector<torch::Tensor> operator()(const std::vector<torch::Tensor>& inputs, bool training = false);
  using layers::Layer::operator();
  /// The layer named `name`, as Keras's `model.get_layer(name)`. Throws `tkeras::Error` listing
  /// the layers' names when there is none.
  std::shared_ptr<layers::Layer> get_layer(std::string_view name) const;
  /// The layer at `index` in `layers()`, as Keras's `model.get_layer(index=...)`. Throws
  /// `tkeras::Error` for an index out of range.
  std::shared_ptr<layers::Layer> get_layer(int64_t index) const;
  /// The layer whose outputs are the model's outputs (inside a nested model, its own output layer).
  virtual const layers::Layer& output_layer() const;

  /// A Functional model from its `get_config()`, as Keras's `functional_from_config`: `layers`
  /// (each with its `inbound_nodes`), `input_layers` and `output_layers`. Each layer is made by its
  /// own `from_config` or by `custom_objects`, then called as its nodes say. Throws
  /// `tkeras::Error` naming the layer for an unknown class (all of them at once), a call on a
  /// tensor no layer makes, or a bad option.
  static std::shared_ptr<Model> from_config(const Config& config, const layers::CustomObjects& custom_objects = {});
  /// Reads Keras's Functional entry: each layer through `reader`.
  static Config from_keras(const Config& entry, layers::keras_format::Reader& reader, const std::string& path,
                           const std::string& where);

  std::string class_name() const override;
  /// A Functional model's config, as Keras's: `name`, `trainable`, `layers` (each as
  /// `{"class_name", "config", "name", "inbound_nodes"}`), `input_layers`, `output_layers`.
  Config get_config() const override;
  /// Keras's Functional entry (module `keras.src.models.functional`, registered as `Functional`),
  /// its layers as each writes itself, with their `inbound_nodes`.
  Config to_keras(layers::keras_format::Writer& writer, const std::string& path) const override;
  /// The graph as ONNX operators, each layer's from its own mapping, in the order the model runs
  /// them.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// The graph of a model of several inputs as ONNX operators.
  io::onnx::Value to_onnx_list(io::onnx::GraphBuilder& graph,
                               const std::vector<io::onnx::Value>& inputs) const override;
  /// The output layer's activation (a Functional model of one output whose last layer has one).
  std::string activation() const override;
  /// Each output's final activation: its layer's, where the output is that layer's one output and
  /// no other layer reads it; else `linear`.
  std::vector<std::string> output_activations() const override;
  std::vector<torch::Tensor> call_logits(const std::vector<torch::Tensor>& inputs, bool training) override;
  /// The names of the outputs, as Keras's `model.output_names`: the layers that make them (a
  /// Sequential: its last layer's).
  std::vector<std::string> output_names() const;
  /// The names of the inputs: a Functional model's `Input`s' (a Sequential: none).
  std::vector<std::string> input_names() const;
  /// The shapes of the outputs, per sample.
  std::vector<Shape> output_shapes() const;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_list(const std::vector<torch::Tensor>& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;
  std::pair<torch::Tensor, torch::Tensor> call_and_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                        bool training) override;
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const layers::Node& node,
                                                                 const std::vector<torch::Tensor>& inputs,
                                                                 const std::vector<torch::Tensor>& masks,
                                                                 bool training) override;
  /// True: a model passes on the mask its outputs carry.
  bool supports_masking() const override { return true; }
  /// A Functional model of several inputs takes a list.
  bool takes_list() const override;
  /// Whether the (one) input is declared an integer type, or a layer reading it takes integers.
  bool takes_integer_inputs() const override;

  /// Writes all weights to `path` in the safetensors format (an 8-byte length, a JSON header,
  /// then the raw little-endian tensors), one tensor per weight named as `named_weights()` names
  /// it: by the layers' kind and position within the model as Keras 3's saving does (the first
  /// Dense `dense`, the second `dense_1`, whatever their global names): `dense.kernel`,
  /// `dense_1.bias`, `conv2d.kernel`, `batch_normalization.moving_mean`, `sequential.dense.kernel`
  /// for a model inside the model, `torch_module.weight` for a `TorchModule`'s parameters. The
  /// layouts are Keras's: a Dense kernel is `[inputs, units]` (PyTorch's `nn.Linear.weight` is its
  /// transpose), a Conv2D kernel `[height, width, in_channels, filters]` (PyTorch's
  /// `nn.Conv2d.weight` is its `permute(3, 2, 0, 1)`). The file is written atomically (a
  /// temporary file, fsync, rename). Throws `tkeras::Error` before the model is built.
  ///
  /// A `path` ending in `.weights.h5` gets Keras 3's weights file instead, which Keras's
  /// `model.load_weights` reads: HDF5 (written with libhdf5), each layer's weights in Keras's
  /// order at `layers/<name>/vars/<i>` (a recurrent layer's at `layers/<name>/cell/vars/<i>`, a
  /// Bidirectional's halves under `forward_layer` and `backward_layer`, a model inside the model
  /// under `layers/<name>/layers/...`), the names as above. It holds no optimizer state. A model
  /// with a `TorchModule` cannot be saved so (Keras pickles those).
  void save_weights(const std::string& path) const;
  /// Loads weights written by `save_weights` (or any safetensors file with the same names,
  /// shapes and dtypes), or Keras 3's `.weights.h5` (known by its HDF5 signature) written by
  /// Keras's `save_weights` or tkeras's, into the model in place, as Keras's `load_weights`. A
  /// Keras file's optimizer variables are not loaded. Everything is checked before any weight
  /// changes; throws `tkeras::Error` naming the file for: a file that is neither valid
  /// safetensors nor a valid weights file (HDF5 links other than plain ones, compressed or
  /// truncated datasets, unsupported types), a missing or unexpected tensor or dataset, or a
  /// shape or dtype that differs from the model's. Throws before the model is built.
  void load_weights(const std::string& path);
  /// Writes the whole model to `path`, as Keras's `model.save`: the architecture (each layer's
  /// `get_config()`, with its name and `trainable` flag), the weights, the compile settings
  /// (optimizer with its current learning rate, loss, metrics) and the optimizer's state (Adam's
  /// moments and step count), so that `tkeras::models::load_model(path)` rebuilds a model that
  /// predicts the same and trains on from where this one stopped. The file is safetensors: the
  /// weights named as by `save_weights`, the optimizer's state as `optimizer.*` tensors, and the
  /// JSON in the header's `__metadata__` (`format` "tkeras.model", `format_version` "1",
  /// `model_config`, `compile_config`). Written atomically. Layers that hold C++ code
  /// (`TorchModule`, `Lambda`) are saved by name: `load_model` needs a factory for them in
  /// `custom_objects`. Throws `tkeras::Error` before the model is built. By convention the file
  /// ends in `.tkeras`.
  ///
  /// A `path` ending in `.keras` gets Keras 3's model file instead, which Keras's
  /// `keras.saving.load_model` opens: a zip of `metadata.json`, `config.json` (Keras's object
  /// structure with `build_config` and `compile_config`) and `model.weights.h5` (the weights as
  /// `save_weights` writes them, and the optimizer's variables in Keras's order), plus a
  /// TextVectorization's vocabulary in `assets/`. It leaves out `jit` and `precision`, which
  /// Keras has no option for. Throws `tkeras::Error` for a `TorchModule` or `Lambda`, whose C++
  /// code Keras cannot run.
  void save(const std::string& path) const;

  /// A model's layers are at `layers/<name>` in Keras's weights files.
  layers::KerasWeightsPlace keras_weights_place() const override;

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
  /// The device the model computes on: `compile`'s (where it moves the weights), else where the
  /// weights are, else the CPU.
  torch::Device device() const;
  /// Moves every weight to `device` in place (LibTorch's `Module::to`), and makes it the device
  /// `fit`, `evaluate` and `predict` use.
  void to(torch::Device device, bool non_blocking = false) override;
  using torch::nn::Module::to;
  /// The optimizer `compile` received, with the learning rate in use. Throws `tkeras::Error`
  /// before `compile`.
  const optimizers::Optimizer& optimizer() const;
  /// The optimizer's updates so far, as Keras's `model.optimizer.iterations`: one per batch,
  /// counted across `fit` calls; 0 after `compile`.
  int64_t optimizer_iterations() const;
  /// The optimizer's current learning rate, as Keras's `optimizer.learning_rate`: the number, or a
  /// schedule's value at `optimizer_iterations()`. Throws `tkeras::Error` before `compile`.
  double learning_rate() const;
  /// Changes the learning rate in place, as assigning Keras's `optimizer.learning_rate`; the
  /// optimizer keeps its state. Throws `tkeras::Error` before `compile`, for a rate < 0, or when
  /// the learning rate is a schedule (as Keras raises; `LearningRateScheduler` and
  /// `ReduceLROnPlateau` then stop `fit` with that error).
  void set_learning_rate(double learning_rate);

  /// Trains the model on inputs `x` (`[N, ...]`) and targets `y` (`[N, ...]`), as Keras's
  /// `fit`, and returns the per-epoch `History`. The data is moved to the model's device once;
  /// batches are cut there. Integer inputs are converted to float32 (not rescaled). The weights
  /// trained are those trainable when `fit` starts. As in Keras, the model is in `train()` mode
  /// while it trains and in `eval()` mode for validation and afterwards.
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

  /// Trains a model of several inputs or outputs, as Keras's `fit` on lists or dicts: `x` one
  /// tensor per input and `y` one per output, by name (the `Input`s' and the output layers') or by
  /// position. Besides `fit`'s checks it throws `tkeras::Error` for a name the model lacks, a
  /// missing one, or the wrong number of tensors. The History has `loss` (the sum of the outputs'
  /// losses times their `loss_weights`), and per output `<output>_loss` and `<output>_<metric>`,
  /// as Keras's.
  ///
  /// Example:
  /// ```
  /// model.fit({{"image", x_image}, {"meta", x_meta}}, {{"label", y_label}, {"size", y_size}}, {.epochs = 5});
  /// ```
  History fit(const Data& x, const Data& y, const FitOptions& options = {});

  /// Trains the model on a dataset of (x, y) batches, as Keras's `fit(dataset)`: each epoch is a
  /// pass over it, or `steps_per_epoch` batches. Batches are moved to the model's device as they
  /// come. `batch_size` and `shuffle` do not apply (the dataset batches and shuffles);
  /// `validation_split` is refused, as in Keras: pass `validation_data`. The callbacks, History
  /// and progress bar work as with tensors; for a dataset of unknown length the bar counts
  /// batches until the first pass ends.
  ///
  /// Example:
  /// ```
  /// auto [train, val] = tkeras::data::image_dataset_from_directory(
  ///     "flowers", {.seed = 123, .validation_split = 0.2, .subset = "both"});
  /// model.fit(train, {.epochs = 15, .validation_data = val});
  /// ```
  History fit(const data::Dataset& dataset, const FitOptions& options = {});

  /// Trains a model whose first layer is a `TextVectorization` on texts, as Keras's `fit` on
  /// strings: the layer turns them into token ids on the CPU (all at once), and training goes on
  /// as with tensors. Throws `tkeras::Error` for a model that does not start with a
  /// `TextVectorization`, besides `fit`'s other checks.
  ///
  /// Example:
  /// ```
  /// model.fit(train_texts, train_labels, {.epochs = 10, .validation_data = {test_texts, test_labels}});
  /// ```
  History fit(const std::vector<std::string>& x, const torch::Tensor& y, const FitOptions& options = {});

  /// Returns the loss and metrics on `x` and `y`, as Keras's `evaluate`, with the same checks
  /// as `fit`.
  Logs evaluate(const torch::Tensor& x, const torch::Tensor& y, const EvaluateOptions& options = {});
  /// Returns the loss and metrics of a model of several inputs or outputs (see `fit` on `Data`).
  Logs evaluate(const Data& x, const Data& y, const EvaluateOptions& options = {});
  /// Returns the loss and metrics on a dataset of (x, y) batches (`steps` of them if given).
  Logs evaluate(const data::Dataset& dataset, const EvaluateOptions& options = {});
  /// Returns the loss and metrics on texts `x` and targets `y`, for a model whose first layer is a
  /// `TextVectorization` (see `fit` on texts).
  Logs evaluate(const std::vector<std::string>& x, const torch::Tensor& y, const EvaluateOptions& options = {});

  /// One training step on `x` and `y` taken as one batch, as Keras's `train_on_batch`: the
  /// metrics start afresh, no callback runs, and the batch's loss and metrics come back (what
  /// Keras returns with `return_dict=True`). The model trains as in `fit`, with `fit`'s checks;
  /// the optimizer counts the step.
  ///
  /// Example: `double loss = model.train_on_batch(x_batch, y_batch).at("loss");`
  Logs train_on_batch(const torch::Tensor& x, const torch::Tensor& y, const TrainOnBatchOptions& options = {});
  /// `train_on_batch` for a model of several inputs or outputs (see `fit` on `Data`).
  Logs train_on_batch(const Data& x, const Data& y, const TrainOnBatchOptions& options = {});
  /// The loss and metrics on `x` and `y` taken as one batch, as Keras's `test_on_batch` (its
  /// `return_dict=True`): the metrics start afresh, no callback runs; `evaluate`'s checks.
  Logs test_on_batch(const torch::Tensor& x, const torch::Tensor& y, const TestOnBatchOptions& options = {});
  /// `test_on_batch` for a model of several inputs or outputs.
  Logs test_on_batch(const Data& x, const Data& y, const TestOnBatchOptions& options = {});
  /// The model's outputs for `x` as one batch, as Keras's `predict_on_batch`.
  torch::Tensor predict_on_batch(const torch::Tensor& x);
  /// Every output of a model of several inputs or outputs for `x` as one batch.
  Data predict_on_batch(const Data& x);

  /// Returns the model's outputs for `x`, batch by batch, on the device `x` came from: for a
  /// softmax output layer `[N, classes]` rows of probabilities that sum to 1. Needs no
  /// `compile`; builds the model from `x` if it is not built.
  torch::Tensor predict(const torch::Tensor& x, const PredictOptions& options = {});
  /// Returns every output of a model of several inputs or outputs for `x` (one tensor per input,
  /// by name or position), named by the outputs' layers, in the outputs' order:
  /// `model.predict({{"image", x}, {"meta", m}})["label"]`.
  Data predict(const Data& x, const PredictOptions& options = {});
  /// Returns the model's outputs for a dataset's batches, concatenated, on the CPU. Elements'
  /// `y`, if any, are ignored. A model of several outputs: `predict_outputs`.
  torch::Tensor predict(const data::Dataset& dataset, const PredictOptions& options = {});
  /// Returns every output of a model of several outputs for a dataset's batches (their `inputs`
  /// by name or position, or `x`), concatenated, on the CPU, named by the outputs' layers: what
  /// Keras's `predict(dataset)` returns for such a model (`predict` on a dataset returns one
  /// tensor, and C++ cannot choose a function by its result).
  Data predict_outputs(const data::Dataset& dataset, const PredictOptions& options = {});
  /// Returns the model's outputs for texts, on the CPU, for a model whose first layer is a
  /// `TextVectorization` (see `fit` on texts): `model.predict({"a fine day", "a dull one"})`.
  torch::Tensor predict(const std::vector<std::string>& x, const PredictOptions& options = {});

 protected:
  /// A model whose default name comes from `base_name` (`sequential`, `sequential_1`...), or is
  /// `name` when given.
  explicit Model(std::string_view base_name, std::string name = {});

  Shape build_weights(const Shape& input_shape) override;
  Shape build_list_weights(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) override;

  torch::Device default_build_device() const override { return device(); }

 private:
  friend struct saving::detail::ModelFile;

  // The epochs of fit, on data the public overloads made ready.
  History run_fit(training::FitData& data, const FitOptions& options);
  // fit and evaluate on one tensor per input and per output, in order.
  History fit_tensors(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                      const FitOptions& options);
  Logs evaluate_tensors(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                        const EvaluateOptions& options);

  // A Functional model's graph; null for a Sequential.
  const models::detail::Graph& graph() const;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> run(const std::vector<torch::Tensor>& inputs,
                                                           const std::vector<torch::Tensor>& masks, bool training,
                                                           bool logits) const;

  std::shared_ptr<models::detail::Graph> graph_;
  std::shared_ptr<training::CompiledState> compiled_;
  // The epoch `fit` starts at when a callback restored a run in on_train_begin (BackupAndRestore).
  std::optional<int> resume_epoch_;
};

}  // namespace tkeras
