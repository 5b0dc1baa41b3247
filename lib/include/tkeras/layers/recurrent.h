// Recurrent: what SimpleRNN, LSTM and GRU share, the recurrence over time steps of Keras's RNN layer.
#pragma once

#include <string>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The base of `SimpleRNN`, `LSTM` and `GRU`, as Keras's `RNN` layer around their cells: it runs
/// the cell over the time steps of inputs `[N, timesteps, features]` and returns the last output
/// `[N, units]`, or every step's `[N, timesteps, units]` with `return_sequences`.
///
/// The weights have Keras's names and layouts: `kernel` `[features, gates * units]` (Glorot
/// uniform), `recurrent_kernel` `[units, gates * units]` (orthogonal) and `bias` (zeros), with the
/// gates in Keras's order. Saved files hold them as Keras holds them.
///
/// Where LibTorch has a kernel for the whole sequence (`at::lstm`, `at::gru`, `at::rnn_tanh`,
/// `at::rnn_relu`: the default activations, no mask) the layer runs it, on these weights put in
/// LibTorch's layout once per call, never per step (transposed, and a GRU's gates reordered). Otherwise (a mask, other
/// activations, GRU with `reset_after = false`) it runs Keras's cell equations step by step on LibTorch's ops.
///
/// With a mask (from `Embedding(..., {.mask_zero = true})`) a masked step keeps the previous state
/// and output, as in Keras: on sequences padded at the front (`pad_sequences`' default) the result
/// is that of the unpadded sequence. With `go_backwards` the steps run last to first, and
/// `return_sequences` returns the outputs in that order, as Keras does.
class Recurrent : public Layer {
 public:
  /// The size of the state and of each output.
  int64_t units() const { return units_; }
  /// Whether the layer returns every step's output rather than the last.
  bool return_sequences() const { return return_sequences_; }
  /// Whether the steps run last to first.
  bool go_backwards() const { return go_backwards_; }

  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;
  /// True: a recurrent layer reads the mask.
  bool supports_masking() const override { return true; }
  /// The mask itself with `return_sequences`, else none, as Keras's RNN.
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;
  /// Keras keeps a recurrent layer's variables in its cell: `cell/vars`, named `lstm_cell`...
  KerasWeightsPlace keras_weights_place() const override;
  /// ONNX's RNN, LSTM or GRU operator.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Which cell runs at each step.
  enum class Cell { kSimpleRNN, kLSTM, kGRU };
  /// The options the three layers share; `recurrent_activation`, `unit_forget_bias` and
  /// `reset_after` apply to the cells that have them.
  struct Settings {
    int64_t units;                     ///< The size of the state and of each output.
    std::string activation;            ///< The activation of the output (and of the LSTM's cell state).
    std::string recurrent_activation;  ///< The gates' activation (LSTM, GRU).
    bool use_bias;                     ///< Whether the layer has a bias.
    bool unit_forget_bias;             ///< Whether an LSTM's forget gate bias starts at 1.
    bool return_sequences;             ///< Whether every step's output is returned.
    bool go_backwards;                 ///< Whether the steps run last to first.
    bool reset_after;         ///< Whether a GRU applies its reset gate after the matrix product (Keras 3's default).
    WeightOptions kernel;     ///< The input kernel's initializer, regularizer and constraint.
    WeightOptions recurrent;  ///< The recurrent kernel's.
    WeightOptions bias;       ///< The bias's.
    regularizers::Identifier activity_regularizer;  ///< The outputs' penalty.
  };
  /// `settings` with the weight options of a layer's options struct (`LSTMOptions`...).
  template <typename Options>
  static Settings with_weight_options(Settings settings, const Options& options) {
    settings.kernel = {options.kernel_initializer, options.kernel_regularizer, options.kernel_constraint};
    settings.recurrent = {options.recurrent_initializer, options.recurrent_regularizer, options.recurrent_constraint};
    settings.bias = {options.bias_initializer, options.bias_regularizer, options.bias_constraint};
    settings.activity_regularizer = options.activity_regularizer;
    return settings;
  }
  /// `options` (`LSTMOptions`...) with the weight options of `settings`.
  template <typename Options>
  static Options options_with_weights(Options options, const Settings& settings) {
    options.kernel_initializer = settings.kernel.initializer;
    options.recurrent_initializer = settings.recurrent.initializer;
    options.bias_initializer = settings.bias.initializer;
    options.kernel_regularizer = settings.kernel.regularizer;
    options.recurrent_regularizer = settings.recurrent.regularizer;
    options.bias_regularizer = settings.bias.regularizer;
    options.activity_regularizer = settings.activity_regularizer;
    options.kernel_constraint = settings.kernel.constraint;
    options.recurrent_constraint = settings.recurrent.constraint;
    options.bias_constraint = settings.bias.constraint;
    return options;
  }
  /// A layer named after `base_name` (`lstm`...). Throws `tkeras::Error` for non-positive units
  /// or an unknown activation.
  Recurrent(std::string_view base_name, Cell cell, const Settings& settings);
  /// The settings from a config (Keras's keys), refusing the options tkeras lacks (`dropout`,
  /// `recurrent_dropout`, `return_state`, `stateful`) with an error naming them.
  static Settings read_settings(const Config& config, const std::string& class_name, bool unit_forget_bias,
                                bool reset_after);

  Shape build_weights(const Shape& input_shape) override;

 private:
  friend class Bidirectional;  // sets zero_output_for_mask_, as Keras's Bidirectional does

  int64_t gates() const;
  io::onnx::Value onnx_recurrence(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs, const Layer& owner,
                                  const Recurrent* backward, const std::string& merge_mode) const;
  bool has_kernel(const torch::Tensor& mask) const;
  torch::Tensor run_kernel(const torch::Tensor& inputs, bool training) const;
  torch::Tensor run_steps(const torch::Tensor& inputs, const torch::Tensor& mask) const;
  torch::Tensor step(const torch::Tensor& projected, const torch::Tensor& h, torch::Tensor& c) const;

  Cell cell_;
  int64_t units_;
  std::string activation_name_;
  std::string recurrent_activation_name_;
  activations::Function activation_;
  activations::Function recurrent_activation_;
  bool use_bias_;
  bool unit_forget_bias_;
  bool return_sequences_;
  bool go_backwards_;
  bool reset_after_;
  WeightOptions kernel_options_;
  WeightOptions recurrent_options_;
  WeightOptions bias_options_;
  bool zero_output_for_mask_ = false;  // a masked step outputs zeros rather than the previous output
  torch::Tensor kernel_;
  torch::Tensor recurrent_kernel_;
  torch::Tensor bias_;
};

}  // namespace tkeras::layers
