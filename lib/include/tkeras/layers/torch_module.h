// TorchModule: any LibTorch module as a Keras layer, as Keras's TorchModuleWrapper.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <torch/nn/pimpl.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Picks element `I` of a module's tuple output, for `TorchModule`: an LSTM returns
/// `(output, (h, c))`, and `select<0>` keeps the output sequence.
template <size_t I>
struct Select {
  /// Returns `std::get<I>(outputs)`.
  template <typename Outputs>
  torch::Tensor operator()(const Outputs& outputs) const {
    return std::get<I>(outputs);
  }
};
/// `Select<I>` as a value: `TorchModule(torch::nn::LSTM(...), tkeras::layers::select<0>)`.
template <size_t I>
inline constexpr Select<I> select{};  // NOLINT(readability-identifier-naming): a tag, as std::in_place

/// TorchModule's options, Keras's keyword arguments.
struct TorchModuleOptions {
  /// The layer's name. Default: `torch_module`, `torch_module_1`...
  std::string name;
  /// The output shape without the batch axis, as Keras's `output_shape`. Default: none, found by
  /// a dry run of the module on a batch of zeros when the layer is built.
  std::optional<Shape> output_shape;
};

/// Any LibTorch module as a layer, as Keras's `TorchModuleWrapper`: a `torch::nn::Linear`, a
/// `torch::nn::LSTM` (with a selector for its tuple output), or a module of your own with a
/// `forward(torch::Tensor)`.
///
/// - Its weights are the module's parameters (trainable unless they do not require grad), named
///   as in the module's `named_parameters()` (`weight`, `bias`, `weight_ih_l0`); models save
///   them, and the module's buffers (BatchNorm's running statistics), as `<layer>.<parameter>`,
///   as Keras saves the module's `state_dict`.
/// - `fit` trains its parameters; `set_trainable(false)` freezes them.
/// - `call(x, training)` puts the module in `train()` or `eval()` mode first, as Keras does, so
///   the module's own Dropout and BatchNorm follow `fit`, `evaluate` and `predict`.
/// - Building it moves the module to the model's device and finds the output shape by running
///   it once on a batch of two zero samples in `eval()` mode, without gradients.
/// - `summary()` shows it as `TorchModule<Type>` with its parameter count.
/// - Whole-model files keep its options and weights, but not its C++ code: `load_model` rebuilds
///   it from a factory registered under `registered_name()` (the module's type, `LSTM` or
///   `MyBlock`) in `custom_objects`.
///
/// Example:
/// ```
/// tkeras::Sequential model({
///     tkeras::layers::Input({20, 8}),  // 20 steps of 8 features
///     tkeras::layers::TorchModule(torch::nn::LSTM(torch::nn::LSTMOptions(8, 16).batch_first(true)),
///                                 tkeras::layers::select<0>),  // [N, 20, 16]
///     tkeras::layers::Flatten(),
///     tkeras::layers::Dense(1),
/// });
/// ```
class TorchModule : public Layer {
 public:
  /// The module's forward pass, reduced to one tensor.
  using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

  /// Wraps `module` (a `torch::nn::Linear`, a `std::shared_ptr` to a module...), whose
  /// `forward(tensor)` returns a tensor.
  template <typename Module>
  requires(!std::derived_from<std::decay_t<Module>, Layer>) explicit TorchModule(Module module,
                                                                                 TorchModuleOptions options = {})
      : TorchModule(impl_of(std::move(module)), Identity{}, std::move(options), Typed{}) {}

  /// Wraps `module`, taking the layer's output from what its `forward(tensor)` returns with
  /// `select_output` (`tkeras::layers::select<0>` for an LSTM, or any callable returning a
  /// tensor).
  template <typename Module, typename Selector>
  requires(!std::derived_from<std::decay_t<Module>, Layer> && !std::same_as<std::decay_t<Selector>, TorchModuleOptions>)
      TorchModule(Module module, Selector select_output, TorchModuleOptions options = {})
      : TorchModule(impl_of(std::move(module)), std::move(select_output), std::move(options), Typed{}) {}

  /// The wrapped module.
  const std::shared_ptr<torch::nn::Module>& module() const { return module_; }
  /// The module's type without namespace and `Impl`: `Linear`, `LSTM`, `MyBlock`.
  const std::string& module_type() const { return module_type_; }

  std::string class_name() const override { return "TorchModule"; }
  /// Throws `tkeras::Error`: Keras's weights files cannot hold a LibTorch module (Keras pickles it).
  KerasWeightsPlace keras_weights_place() const override;
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// The module's type: the key of the factory `load_model`'s `custom_objects` needs.
  std::optional<std::string> registered_name() const override { return module_type_; }
  /// `name`, `trainable`, `module` (the module's type) and `output_shape` when given.
  Config get_config() const override;
  /// Throws `tkeras::Error`: a `.keras` file cannot hold the C++ code the layer runs.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  struct Identity {};
  struct Typed {};
  struct Erased {};

  template <typename Impl>
  static std::shared_ptr<Impl> impl_of(torch::nn::ModuleHolder<Impl> holder) {
    return holder.ptr();
  }
  template <std::derived_from<torch::nn::Module> Impl>
  static std::shared_ptr<Impl> impl_of(std::shared_ptr<Impl> module) {
    return module;
  }

  template <typename Impl, typename Selector>
  TorchModule(std::shared_ptr<Impl> impl, Selector select_output, TorchModuleOptions options, Typed)
      : TorchModule(Erased{}, impl, make_forward(impl, std::move(select_output)), std::move(options)) {}

  template <typename Impl, typename Selector>
  static Forward make_forward(std::shared_ptr<Impl> impl, Selector select_output) {
    using Output = decltype(impl->forward(std::declval<torch::Tensor>()));
    if constexpr (std::is_same_v<Selector, Identity>) {
      static_assert(std::is_convertible_v<Output, torch::Tensor>,
                    "TorchModule: this module's forward does not return a tensor; pass a selector, such as "
                    "tkeras::layers::select<0> for an LSTM's output sequence");
      return [impl](const torch::Tensor& x) -> torch::Tensor { return impl->forward(x); };
    } else {
      return [impl, select_output](const torch::Tensor& x) -> torch::Tensor { return select_output(impl->forward(x)); };
    }
  }

  TorchModule(Erased, std::shared_ptr<torch::nn::Module> module, Forward forward, TorchModuleOptions options);

  std::shared_ptr<torch::nn::Module> module_;
  Forward forward_;
  TorchModuleOptions options_;
  std::string module_type_;
};

}  // namespace tkeras::layers
