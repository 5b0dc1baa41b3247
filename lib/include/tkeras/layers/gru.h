// GRU: the gated recurrent unit layer, as Keras's GRU.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/recurrent.h"

namespace tkeras::layers {

/// GRU's options, Keras's keyword arguments in Keras's order.
struct GRUOptions {
  std::string activation = "tanh";               ///< Of the candidate state. Default: "tanh".
  std::string recurrent_activation = "sigmoid";  ///< Of the gates. Default: "sigmoid".
  bool use_bias = true;                          ///< Default: true.
  bool return_sequences = false;                 ///< Return every step's output. Default: false.
  bool go_backwards = false;                     ///< Run the steps last to first. Default: false.
  /// Apply the reset gate after the recurrent projection (Keras 2's and LibTorch's GRU, with two
  /// bias rows) rather than before. Default: true.
  bool reset_after = true;
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

/// A gated recurrent unit layer, as Keras's `GRU`: inputs `[N, timesteps, features]`, outputs
/// `[N, units]` (or `[N, timesteps, units]` with `return_sequences`). Its weights are Keras's
/// `kernel` `[features, 3 * units]`, `recurrent_kernel` `[units, 3 * units]` and `bias`
/// (`[2, 3 * units]`: input and recurrent rows, with `reset_after`; else `[3 * units]`), gates in
/// Keras's order z, r, h. With `reset_after` it runs LibTorch's `at::gru` (see `Recurrent`).
///
/// Example: `tkeras::layers::GRU(32)`.
class GRU : public Recurrent {
 public:
  /// A layer of `units` (positive). Throws `tkeras::Error` for non-positive units or an unknown
  /// activation.
  explicit GRU(int64_t units, GRUOptions options = {});
  /// A GRU from its `get_config()` (Keras's keys, at Keras's defaults when absent). Throws
  /// `tkeras::Error` for options tkeras lacks: non-zero `dropout` or `recurrent_dropout`,
  /// `return_state`, `stateful`.
  static std::shared_ptr<GRU> from_config(const Config& config);

  std::string class_name() const override { return "GRU"; }
};

}  // namespace tkeras::layers
