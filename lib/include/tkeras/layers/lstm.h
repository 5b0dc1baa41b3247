// LSTM: the long short-term memory layer, as Keras's LSTM.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/recurrent.h"

namespace tkeras::layers {

/// LSTM's options, Keras's keyword arguments in Keras's order.
struct LSTMOptions {
  std::string activation = "tanh";               ///< Of the cell input and output. Default: "tanh".
  std::string recurrent_activation = "sigmoid";  ///< Of the gates. Default: "sigmoid".
  bool use_bias = true;                          ///< Default: true.
  bool unit_forget_bias = true;                  ///< Start the forget gate's bias at 1. Default: true.
  bool return_sequences = false;                 ///< Return every step's output. Default: false.
  bool go_backwards = false;                     ///< Run the steps last to first. Default: false.
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

/// A long short-term memory layer, as Keras's `LSTM`: inputs `[N, timesteps, features]`, outputs
/// `[N, units]` (or `[N, timesteps, units]` with `return_sequences`). Its weights are Keras's
/// `kernel` `[features, 4 * units]`, `recurrent_kernel` `[units, 4 * units]` and `bias`
/// `[4 * units]`, gates in Keras's order i, f, c, o. It runs LibTorch's `at::lstm` (see
/// `Recurrent`).
///
/// Example: `tkeras::layers::LSTM(64, {.return_sequences = true})`.
class LSTM : public Recurrent {
 public:
  /// A layer of `units` (positive). Throws `tkeras::Error` for non-positive units or an unknown
  /// activation.
  explicit LSTM(int64_t units, LSTMOptions options = {});
  /// An LSTM from its `get_config()` (Keras's keys, at Keras's defaults when absent). Throws
  /// `tkeras::Error` for options tkeras lacks: non-zero `dropout` or `recurrent_dropout`,
  /// `return_state`, `stateful`.
  static std::shared_ptr<LSTM> from_config(const Config& config);

  std::string class_name() const override { return "LSTM"; }
};

}  // namespace tkeras::layers
