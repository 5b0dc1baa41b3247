// Layer: the base of every tkeras layer, a torch::nn::Module; and AnyLayer, the handle Sequential takes.
#pragma once

#include <concepts>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "tkeras/constraints/constraint.h"
#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"
#include "tkeras/initializers/initializer.h"
#include "tkeras/layers/keras_tensor.h"
#include "tkeras/regularizers/regularizer.h"

namespace tkeras::io::onnx {
class GraphBuilder;
struct Value;
}  // namespace tkeras::io::onnx

namespace tkeras::layers {

class Layer;
namespace keras_format {
class Writer;
}

namespace detail {
/// Gives a layer made by a loader the name and `trainable` flag its config holds (internal).
void restore_identity(Layer& layer, const Config& config);

/// While it lives, symbolic calls on this thread build layers on `device` (internal: a loader's
/// dry build on the meta device, which allocates nothing).
class SymbolicBuildDevice {
 public:
  explicit SymbolicBuildDevice(torch::Device device);
  ~SymbolicBuildDevice();
  SymbolicBuildDevice(const SymbolicBuildDevice&) = delete;
  SymbolicBuildDevice& operator=(const SymbolicBuildDevice&) = delete;
  /// The device of the innermost scope, or none.
  static std::optional<torch::Device> current();

 private:
  std::optional<torch::Device> previous_;
};

/// A weight converted to the layout LibTorch's kernels take fastest, kept between the calls
/// that do not train it (internal: the convolutions' kernels, see spatial::torch_kernel).
struct ConvertedWeight {
  torch::Tensor value;           ///< The converted weight. Default: none yet.
  const void* source = nullptr;  ///< The data of the weight it was made from. Default: none.
  int64_t version = -1;          ///< That weight's version counter then. Default: -1.
};
}  // namespace detail

/// One weight of a layer, as an entry of Keras's `layer.weights`.
struct Weight {
  std::string name;       ///< The weight's name within its layer: `kernel`, `bias`.
  torch::Tensor value;    ///< The tensor (the module's parameter or buffer itself, not a copy).
  bool trainable = true;  ///< Whether the optimizer updates it now. Default: true.
  /// Its penalty, added to the loss while it is trainable (Keras's `variable.regularizer`). Default: none.
  std::shared_ptr<const regularizers::Regularizer> regularizer;
  /// What it is projected onto after each update (Keras's `variable.constraint`). Default: none.
  std::shared_ptr<const constraints::Constraint> constraint;
};

/// How a weight is drawn, penalized and constrained, as the arguments of Keras's `add_weight`
/// (and of its layers' `kernel_initializer`, `kernel_regularizer` and `kernel_constraint`).
struct WeightOptions {
  initializers::Identifier initializer = "glorot_uniform";  ///< What draws its first values. Default: Glorot-uniform.
  regularizers::Identifier regularizer;                     ///< Its penalty in the loss. Default: none.
  constraints::Identifier constraint;                       ///< Its projection after each update. Default: none.
};

/// Where Keras 3's weights files (`.weights.h5`, and a `.keras` archive's `model.weights.h5`) keep
/// a layer's weights, relative to the layer's own group: Keras's saving walks a layer's attributes.
struct KerasWeightsPlace {
  std::string vars = "vars";  ///< The group of its own variables: `vars`; a recurrent layer's `cell/vars`.
  std::string vars_name;      ///< That group's `name` attribute: the layer's name; a cell's (`lstm_cell`).
  std::string sublayers;      ///< What precedes a sublayer's name: `layers/` in a model; empty in a wrapper.
};

/// The base class of all layers, as Keras's `Layer`. Every layer is a `torch::nn::Module`: its
/// trainable weights are the module's parameters and its other weights (BatchNormalization's
/// moving statistics) its buffers, registered under Keras's names (`kernel`, `bias`, `gamma`,
/// `moving_mean`...), so that LibTorch's `parameters()`, `named_parameters()`, `to(device)`,
/// `train()`/`eval()` and `torch::save`/`torch::load` work on layers and models.
///
/// A layer is first a specification (`Dense(128, "relu")`): building it for an input shape
/// creates its weights, so shapes are inferred and no layer asks for its input width. A layer
/// gets a unique Keras-style name when constructed: `dense`, `dense_1`, `flatten`...
///
/// `call(inputs, training)` is Keras's forward pass; `forward(inputs)` is LibTorch's, which passes
/// the module's `is_training()` as `training`.
///
/// To write a layer, derive from it, implement `class_name`, `build_weights` (create weights with
/// `add_weight` and return the output shape) and `call`; override `get_config` to save its options.
class Layer : public torch::nn::Module {
 public:
  ~Layer() override;

  /// The layer's unique name, as Keras's: the snake_case type with a counter (`dense_1`), or the
  /// name its config gave it when a model file was loaded.
  const std::string& name() const { return name_; }
  /// Names the layer `name`, as Keras's `name=` argument, for a layer whose constructor takes no
  /// name (Dense's options do: `Dense(1, {.name = "size"})`): a Functional model's outputs and
  /// data are keyed by their layers' names. Throws `tkeras::Error` for an empty name, a name with
  /// `/`, or a layer already called on symbolic tensors (its graph knows it by its old name).
  void set_name(std::string name);
  /// The penalty on the layer's outputs, as Keras's `activity_regularizer`: `fit` and `evaluate`
  /// add it to the loss, divided by the batch size (Keras 3's normalization). Null: none (Default).
  const std::shared_ptr<const regularizers::Regularizer>& activity_regularizer() const { return activity_regularizer_; }
  /// Sets the activity regularizer (`nullptr`: none). Throws `tkeras::Error` for an unknown name.
  void set_activity_regularizer(const regularizers::Identifier& regularizer) {
    activity_regularizer_ = regularizers::get(regularizer);
  }
  /// The layer's type as Keras prints it in `summary()`: `Dense`, `Flatten`...
  virtual std::string class_name() const = 0;
  /// The snake_case type (`dense`, `conv2d`, `max_pooling2d`): the base of its default name, and
  /// what a model names it by kind and position in saved files and `named_parameters()`.
  const std::string& base_name() const { return base_name_; }

  /// Whether `build` has run.
  bool built() const { return built_; }
  /// The input shape the layer was built for, without the batch axis. Throws if not built.
  const Shape& input_shape() const;
  /// The output shape, without the batch axis. Throws if not built.
  const Shape& output_shape() const;

  /// Creates the weights for inputs of `input_shape` (without the batch axis) on `device` and
  /// returns the output shape, as Keras's `build`. Building an already built layer for the same
  /// shape does nothing; for another shape it throws `tkeras::Error`. `device`: Default: the CPU,
  /// or a model's `device()`.
  Shape build(const Shape& input_shape, std::optional<torch::Device> device = std::nullopt);

  /// The forward pass on a batch, as Keras's `layer(inputs, training=...)`. `training`: Default:
  /// false.
  torch::Tensor operator()(const torch::Tensor& inputs, bool training = false) { return call(inputs, training); }
  /// LibTorch's forward pass: `call(inputs, is_training())`, so that a layer or model inside a
  /// LibTorch module follows that module's `train()` and `eval()`.
  torch::Tensor forward(const torch::Tensor& inputs) { return call(inputs, is_training()); }
  /// The forward pass on a batch; the layer must be built.
  virtual torch::Tensor call(const torch::Tensor& inputs, bool training) = 0;

  /// Calls the layer on a symbolic tensor, as Keras's `layer(keras_tensor)` in a Functional model:
  /// builds the layer for the tensor's shape (a built layer must get the shape it was built for),
  /// records the call as a `Node`, and returns its output. Calling one layer object again shares
  /// it: one set of weights. A layer held by value (`Dense(8)(x)`) joins the graph as a copy made
  /// at its first call, which later calls on the same value reuse; `graph_layer()` is that copy. A
  /// layer held by a `std::shared_ptr` joins as itself. Throws `tkeras::Error` naming the layer
  /// and the shapes for a shape it cannot take, for a merge layer given one tensor, and for a
  /// layer with several outputs (use `call_symbolic`).
  KerasTensor operator()(const KerasTensor& input, const CallOptions& options = {});
  /// Calls the layer on a list of symbolic tensors, as Keras's `Add()([x, y])`: for the layers
  /// that take lists (merges, a model of several inputs). Throws `tkeras::Error` for a layer
  /// that takes one tensor.
  KerasTensor operator()(const KerasTensors& inputs, const CallOptions& options = {});
  /// The symbolic call with all its outputs (a model of several outputs has several). `list`:
  /// whether the inputs are a list rather than one tensor.
  std::vector<KerasTensor> call_symbolic(const KerasTensors& inputs, bool list, const CallOptions& options = {});
  /// The layer object the graph holds: this one, or for a layer called by value the copy its first
  /// call made.
  std::shared_ptr<Layer> graph_layer();
  /// The output of the layer's first call, as Keras's `layer.output`: where a model cut at this
  /// layer ends (`Model(base.inputs(), base.get_layer("mixed7")->output())`). Throws
  /// `tkeras::Error` for a layer never called on symbolic tensors, or one with several outputs.
  KerasTensor output() const;
  /// The input of the layer's first call, as Keras's `layer.input` (an Input's own tensor).
  /// Throws `tkeras::Error` for a layer never called, or called on a list.
  KerasTensor input() const;
  /// The layer's calls on symbolic tensors that still exist, in order, as Keras's
  /// `_inbound_nodes`.
  std::vector<std::shared_ptr<const Node>> inbound_nodes() const;

  /// Whether the layer takes a list of tensors, as Keras's merge layers. Default: false.
  virtual bool takes_list() const { return false; }
  /// The forward pass on a list of tensors, for layers that take lists. Default: throws
  /// `tkeras::Error`.
  virtual torch::Tensor call_list(const std::vector<torch::Tensor>& inputs, bool training);
  /// Builds a layer that takes a list for inputs of `input_shapes` (without the batch axis) and
  /// returns the output shape, as `build` does for one input.
  Shape build_list(const std::vector<Shape>& input_shapes, std::optional<torch::Device> device = std::nullopt);
  /// The shapes a layer that takes a list was built for (one shape for the others). Throws if not
  /// built.
  const std::vector<Shape>& input_shapes() const;
  /// One call of the layer in a graph, `node`: `inputs` and their masks (undefined: none), to the
  /// outputs and their masks. Default: `call_and_mask` for one tensor, `call_list` for a list
  /// (`node.list`), without a mask (the merge layers combine the masks).
  virtual std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const Node& node,
                                                                         const std::vector<torch::Tensor>& inputs,
                                                                         const std::vector<torch::Tensor>& masks,
                                                                         bool training);

  /// How Keras calls the layer, for the layers called with named tensor arguments
  /// (`MultiHeadAttention(query, value, key=...)`) or keyword arguments (`use_causal_mask`).
  struct CallSignature {
    /// The names of its tensor arguments in Keras's order (`query`, `value`, `key`...): the
    /// layer takes a list of them, and its nodes name each input in `arguments["inputs"]`.
    /// Default: none, a layer of one tensor or of a list.
    std::vector<std::string> tensors;
    size_t positional = 0;              ///< How many of them Keras's files give by position. Default: 0.
    std::vector<std::string> keywords;  ///< The other keyword arguments it takes. Default: none.
  };
  /// The layer's call signature. Default: one tensor or a list, and no keyword arguments.
  virtual CallSignature call_signature() const { return {}; }

  /// The forward pass with the mask of the inputs' time steps, as Keras's `call(inputs,
  /// mask=...)`: `mask` is a bool `[batch, steps]` tensor, true where a step holds data (from
  /// `Embedding(..., {.mask_zero = true})`), or undefined when there is none. Layers that use it
  /// (the recurrent layers, `GlobalAveragePooling1D`) override it. Default: `call(inputs,
  /// training)`, ignoring the mask.
  virtual torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training);
  /// Whether the layer passes a mask on, as Keras's `supports_masking`. Default: false: a mask
  /// ends at the layer, as it does at Keras's `Flatten` or `Conv1D`.
  virtual bool supports_masking() const { return false; }
  /// The mask of the outputs' time steps, given the inputs and their mask (undefined when none),
  /// as Keras's `compute_mask`. Default: `mask` when the layer supports masking, else undefined.
  virtual torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const;
  /// The forward pass and the outputs' mask together, as a model calls each of its layers.
  /// Default: `call_with_mask` (or `call` when `mask` is undefined) and `compute_mask`.
  virtual std::pair<torch::Tensor, torch::Tensor> call_and_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                                bool training);
  /// Whether the layer takes integer inputs as they are (`Embedding`'s token ids). `fit`,
  /// `evaluate` and `predict` pass an integer `x` unchanged to a model whose first layer does,
  /// and convert it to float32 otherwise. Default: false.
  virtual bool takes_integer_inputs() const { return false; }

  /// The name of the activation the layer applies last (`linear` when none). Losses use it to
  /// compute cross-entropy from logits, stably, when a layer ends in softmax or sigmoid.
  virtual std::string activation() const { return "linear"; }
  /// The forward pass without the final activation (the logits). Default: `call`.
  virtual torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) {
    return call(inputs, training);
  }

  /// The final activation of each output (a model of several outputs has several). Default:
  /// `{activation()}`.
  virtual std::vector<std::string> output_activations() const { return {activation()}; }
  /// The forward pass on one tensor per input, to each output without its final activation (what
  /// `fit` hands the losses). Default: `{call_without_activation(inputs[0], training)}`.
  virtual std::vector<torch::Tensor> call_logits(const std::vector<torch::Tensor>& inputs, bool training) {
    return {call_without_activation(inputs.front(), training)};
  }

  /// All weights, as Keras's `layer.weights`: the layer's own in creation order (trainable ones
  /// first as created), then those of its sublayers (a model's layers), named `layer/weight`.
  std::vector<Weight> weights() const;
  /// The weights the optimizer updates, as Keras's `trainable_weights`: none when the layer is
  /// frozen.
  std::vector<torch::Tensor> trainable_weights() const;
  /// The other weights, as Keras's `non_trainable_weights`: moving statistics, and every weight
  /// of a frozen layer.
  std::vector<torch::Tensor> non_trainable_weights() const;
  /// Every weight named as `save_weights` writes it: the layer's own by their names (`kernel`),
  /// a sublayer's behind the name its model gives it by kind and position (`dense_1.kernel`,
  /// `sequential.dense.bias`). These are also the names of `named_parameters()` and
  /// `named_buffers()`, except inside a `TorchModule` (whose module LibTorch names `module`).
  std::vector<std::pair<std::string, torch::Tensor>> named_weights() const;
  /// Copies of all weights' values, in `weights()` order, as Keras's `get_weights`.
  std::vector<torch::Tensor> get_weights() const;
  /// Overwrites all weights in place from `values` (in `weights()` order), as Keras's
  /// `set_weights`. Throws `tkeras::Error` when the count or a shape differs, before any weight
  /// changes.
  void set_weights(const std::vector<torch::Tensor>& values);
  /// The number of scalars in all weights.
  int64_t count_params() const;

  /// Whether `fit` may update the layer's weights, as Keras's `layer.trainable`. Default: true.
  bool trainable() const { return trainable_; }
  /// Freezes (false) or unfreezes (true) the layer and every layer inside it, as assigning
  /// Keras's `layer.trainable`: its parameters' `requires_grad` follows, so LibTorch's autograd
  /// skips frozen weights too. A frozen BatchNormalization normalises with its moving statistics
  /// even in `fit`, as in Keras 3. The next `fit` trains exactly the weights then trainable,
  /// keeping the optimizer's state of those that stay; no compile is needed.
  virtual void set_trainable(bool trainable);

  /// The layer's options, as Keras's `get_config()`: `name`, `trainable`, and what the layer's
  /// constructor takes (`units`, `activation`...). Model files store it; the layer's
  /// `from_config` (or a `custom_objects` factory) rebuilds the layer from it.
  virtual Config get_config() const;
  /// The name a layer that tkeras cannot rebuild from its config alone is saved under, so that
  /// `load_model`'s `custom_objects` can supply a factory for it (a `TorchModule`'s module type,
  /// a `Lambda`'s name). Default: none, for layers `from_config` rebuilds.
  virtual std::optional<std::string> registered_name() const { return std::nullopt; }

  // File formats: `save`, `load_model` and `export_onnx` ask each layer how it is written, so that
  // everything tkeras knows about a layer class lives in that class's files. Their arguments are
  // the library's internal types; a layer of your own needs none of them.

  /// Keras's entry for the layer at `path` in a `.keras` archive (`{"module", "class_name",
  /// "config", "registered_name"}`); nested layers are written through `writer`, which also takes
  /// the files Keras keeps beside the config (a vocabulary). Default: `get_config()` in that entry.
  virtual Config to_keras(keras_format::Writer& writer, const std::string& path) const;
  /// The `InputLayer` config that Keras's file gives a model starting with this layer, from
  /// tkeras's (which declares the shape the layer takes). Default: unchanged.
  virtual Config to_keras_input(Config input_layer) const { return input_layer; }
  /// The reverse of `to_keras_input`: tkeras's `InputLayer` config from Keras's. Default: unchanged.
  virtual Config from_keras_input(Config input_layer) const { return input_layer; }
  /// Where Keras's weights files keep the layer's weights. Default: its own in `vars`, named after
  /// the layer; sublayers under their names.
  virtual KerasWeightsPlace keras_weights_place() const;
  /// The layer at inference as ONNX operators added to `graph`, reading `inputs` (what
  /// `export_onnx` calls). Default: throws `tkeras::Error`: the class has no ONNX mapping.
  virtual io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const;
  /// The ONNX operators of a layer that takes a list, reading `inputs`. Default: throws
  /// `tkeras::Error`.
  virtual io::onnx::Value to_onnx_list(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const;
  /// The ONNX operators of one call of the layer in a graph, `node`, reading `inputs`. Default:
  /// `to_onnx_list` for a list call, else `to_onnx`.
  virtual io::onnx::Value to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                                       const std::vector<io::onnx::Value>& inputs) const;

  /// Prints `Dense(name=dense, ...)`, as LibTorch prints modules.
  void pretty_print(std::ostream& stream) const override;

 protected:
  /// A layer whose default name comes from `base_name` (`dense` -> `dense`, `dense_1`...), or is
  /// `name` when given (used as is, as Keras's `name=`).
  explicit Layer(std::string_view base_name, std::string name = {});
  /// A copy of `other`'s specification and weights (the tensors shared), for a layer held by value.
  Layer(const Layer&) = default;
  /// Takes `other`'s name, weights and sublayers.
  Layer(Layer&&) noexcept = default;
  Layer& operator=(const Layer&) = delete;
  Layer& operator=(Layer&&) = delete;

  /// Creates the weights for `input_shape` and returns the output shape.
  virtual Shape build_weights(const Shape& input_shape) = 0;
  /// Creates the weights of a layer that takes a list for `input_shapes` and returns the output
  /// shape. Default: throws `tkeras::Error`.
  virtual Shape build_list_weights(const std::vector<Shape>& input_shapes);
  /// Builds the layer for a symbolic call on `input_shapes` (`list`: a list call, with the call's
  /// keyword `arguments`) and returns the shapes of its outputs. Default: `build` for one output.
  virtual std::vector<Shape> build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments);
  /// The device `build` uses when given none. Default: the CPU.
  virtual torch::Device default_build_device() const { return torch::kCPU; }
  /// Records a new output shape for a built layer whose sublayers changed (Sequential's `add`).
  void set_output_shape(Shape output_shape) { output_shape_ = std::move(output_shape); }

  /// Creates a weight on the build device and registers it with the module: a parameter when
  /// `trainable` (requiring grad unless the layer is frozen), else a buffer. `initial_value`
  /// becomes the weight (moved to the device when it is elsewhere). `regularizer` and
  /// `constraint` (Default: none) are Keras's `add_weight` arguments: `fit` adds the one's penalty
  /// to the loss and applies the other after each update.
  torch::Tensor add_weight(const std::string& name, torch::Tensor initial_value, bool trainable = true,
                           std::shared_ptr<const regularizers::Regularizer> regularizer = nullptr,
                           std::shared_ptr<const constraints::Constraint> constraint = nullptr);
  /// Creates a weight of `shape` (Keras's layout) as Keras's `add_weight(shape, initializer,
  /// regularizer, constraint)`: drawn by `options.initializer`, with its regularizer and
  /// constraint; otherwise as the `add_weight` above.
  ///
  /// Example (in a layer's `build_weights`):
  /// ```
  /// kernel_ = add_weight("kernel", {input_shape.back(), units_}, {.initializer = "he_normal"});
  /// ```
  torch::Tensor add_weight(const std::string& name, const Shape& shape, const WeightOptions& options,
                           bool trainable = true);
  /// The first value of a weight of `shape` (Keras's layout), drawn by `initializer` where
  /// `initializer_options()` says (a dry build draws nothing).
  torch::Tensor initial_value(const initializers::Identifier& initializer, const Shape& shape) const {
    return (*initializers::get(initializer))(shape, initializer_options());
  }
  /// Tracks an existing tensor as a weight under `name` without registering it (a wrapped
  /// module registered it already): `trainable` says whether it is a trainable variable. A
  /// weight not `listed` is saved and loaded with the others (`named_weights()`) but is not one
  /// of Keras's `weights` (a wrapped module's buffers, as in Keras's TorchModuleWrapper).
  void track_weight(std::string name, torch::Tensor value, bool trainable, bool listed = true);
  /// Records `node`, a call of this layer, among its calls (setting its `index`), and returns it.
  std::shared_ptr<const Node> record_call(std::shared_ptr<Node> node);

  /// Registers `layer` as a submodule and sublayer named `name` (a model names them by kind and
  /// position: `dense`, `dense_1`): its weights join this layer's, and `set_trainable` reaches it.
  void add_sublayer(const std::string& name, std::shared_ptr<Layer> layer);
  /// The sublayers, in the order added.
  const std::vector<std::shared_ptr<Layer>>& sublayers() const { return sublayers_; }
  /// The names the sublayers were added under, in the same order.
  const std::vector<std::string>& sublayer_names() const { return sublayer_names_; }
  /// The device `build` is creating the weights on (valid inside `build_weights`).
  torch::Device build_device() const { return build_device_; }
  /// Where to draw initial values: on the CPU, so that one seed gives the same weights on every
  /// device (`add_weight` moves them), or on the meta device when building there (a loader's dry
  /// build, which allocates nothing).
  torch::TensorOptions initializer_options() const {
    return torch::TensorOptions().device(build_device_.is_meta() ? build_device_ : torch::Device(torch::kCPU));
  }

  /// Gives `layer`, made by a `from_config`, the name and `trainable` flag of `config` and
  /// returns it.
  template <std::derived_from<Layer> L>
  static std::shared_ptr<L> configured(std::shared_ptr<L> layer, const Config& config) {
    detail::restore_identity(*layer, config);
    return layer;
  }

 private:
  friend void detail::restore_identity(Layer& layer, const Config& config);

  struct OwnWeight {
    std::string name;
    torch::Tensor value;
    bool trainable_variable;  // false for buffers: never trained
    bool listed = true;       // one of weights(); else saved only
    std::shared_ptr<const regularizers::Regularizer> regularizer;
    std::shared_ptr<const constraints::Constraint> constraint;
  };
  void collect(const std::string& prefix, bool parent_trainable, std::vector<Weight>& out) const;
  void collect_named(const std::string& prefix, std::vector<std::pair<std::string, torch::Tensor>>& out) const;

  std::string base_name_;
  std::string name_;
  std::shared_ptr<const regularizers::Regularizer> activity_regularizer_;
  bool trainable_ = true;
  bool built_ = false;
  Shape input_shape_;
  Shape output_shape_;
  std::vector<OwnWeight> own_weights_;
  std::vector<std::shared_ptr<Layer>> sublayers_;
  std::vector<std::string> sublayer_names_;
  torch::Device build_device_ = torch::kCPU;
  std::vector<Shape> input_shapes_;

  // The layer's symbolic calls, which a copy of the layer has not made: its nodes (kept alive by
  // their outputs), and for a layer called by value the copy that joined the graph.
  struct Calls {
    std::vector<std::weak_ptr<const Node>> nodes;
    std::shared_ptr<Layer> graph_copy;
    Calls() = default;
    Calls(const Calls& /*other*/) {}
    Calls(Calls&&) noexcept = default;
    Calls& operator=(const Calls&) = delete;
    Calls& operator=(Calls&&) = delete;
    ~Calls() = default;
  };
  Calls calls_;

  const Layer& called() const { return calls_.graph_copy ? *calls_.graph_copy : *this; }
  // Throws unless `arguments` are ones call_signature() names (and, for named tensor arguments,
  // name each input).
  void check_arguments(const KerasTensors& inputs, bool list, const Config& arguments) const;
};

/// A handle to a layer, so that `Sequential` takes a braced list of different layer types:
/// `Sequential({layers::Flatten(), layers::Dense(10)})`.
///
/// Made from a layer value it holds its own copy; made from a `std::shared_ptr` (as `load_model`
/// returns) or a `std::unique_ptr` it shares the layer, so that the caller can inspect it after
/// training, or put one model inside another.
class AnyLayer {
 public:
  /// Holds a copy of `layer`.
  template <std::derived_from<Layer> L>
  AnyLayer(L layer) : layer_(std::make_shared<L>(std::move(layer))) {}  // NOLINT: implicit by design
  /// Shares `layer`.
  template <std::derived_from<Layer> L>
  AnyLayer(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}  // NOLINT: implicit by design
  /// Takes `layer` over.
  template <std::derived_from<Layer> L>
  AnyLayer(std::unique_ptr<L> layer) : layer_(std::move(layer)) {}  // NOLINT: implicit by design

  /// The layer.
  const std::shared_ptr<Layer>& get() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

}  // namespace tkeras::layers
