// SimpleRNN: the fully connected recurrent layer, as Keras's SimpleRNN.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/recurrent.h"

namespace tkeras::layers {

/// SimpleRNN's options, Keras's keyword arguments in Keras's order.
struct SimpleRNNOptions {
  std::string activation = "tanh";  ///< Default: "tanh".
  bool use_bias = true;             ///< Default: true.
  bool return_sequences = false;    ///< Return every step's output. Default: false.
  bool go_backwards = false;        ///< Run the steps last to first. Default: false.
  /// What draws the input kernel. Default: `glorot_uniform`.
  initializers::Identifier kernel_initializer = "glorot_uniform";
  /// What draws the recurrent kernel. Default: `orthogonal`.
  initializers::Identifier recurrent_initializer = "orthogonal";
  initializers::Identifier bias_initializer = "zeros";  ///< What draws the bias. Default: `zeros`.
  regularizers::Identifier kernel_regularizer;          ///< The input kernel's penalty. Default: none.
  regularizers::Identifier recurrent_regularizer;       ///< The recurrent kernel's penalty. Default: none.
  regularizers::Identifier bias_regularizer;            ///< The bias's penalty. Default: none.
  regularizers::Identifier activity_regularizer;        ///< The outputs' penalty. Default: none.
  constraints::Identifier kernel_constraint;            ///< The input kernel's constraint. Default: none.
  constraints::Identifier recurrent_constraint;         ///< The recurrent kernel's constraint. Default: none.
  constraints::Identifier bias_constraint;              ///< The bias's constraint. Default: none.
};

/// A recurrent layer whose state is its output, as Keras's `SimpleRNN`: `h = activation(matmul(x,
/// kernel) + matmul(h, recurrent_kernel) + bias)`: inputs `[N, timesteps, features]`, outputs `[N, units]` (or
/// `[N, timesteps, units]` with `return_sequences`). With "tanh" or "relu" it runs LibTorch's
/// `at::rnn_tanh` or `at::rnn_relu` (see `Recurrent`).
///
/// Example: `tkeras::layers::SimpleRNN(40, {.return_sequences = true})`.
class SimpleRNN : public Recurrent {
 public:
  /// A layer of `units` (positive). Throws `tkeras::Error` for non-positive units or an unknown
  /// activation.
  explicit SimpleRNN(int64_t units, SimpleRNNOptions options = {});
  /// A SimpleRNN from its `get_config()` (Keras's keys, at Keras's defaults when absent). Throws
  /// `tkeras::Error` for options tkeras lacks: non-zero `dropout` or `recurrent_dropout`,
  /// `return_state`, `stateful`.
  static std::shared_ptr<SimpleRNN> from_config(const Config& config);

  std::string class_name() const override { return "SimpleRNN"; }
};

}  // namespace tkeras::layers
