// Activations: the element-wise functions layers apply by name ("relu", "softmax", ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

namespace tkeras::activations {

/// An activation function: maps a tensor to a tensor of the same shape.
using Function = torch::Tensor (*)(const torch::Tensor&);

/// The activation names tkeras knows, sorted: every name Keras 3 takes for an activation, each
/// computed as Keras computes it with its default arguments: `celu` (alpha 1), `elu` (alpha 1),
/// `exponential`, `gelu` (the exact, erf form), `hard_shrink` (threshold 0.5), `hard_sigmoid`
/// (`relu6(x + 3) / 6`), `hard_silu` and its alias `hard_swish`, `hard_tanh`, `leaky_relu`
/// (negative_slope 0.2), `linear`, `log_sigmoid`, `log_softmax`, `mish`, `relu`, `relu6`, `selu`,
/// `sigmoid`, `silu` and its alias `swish`, `soft_shrink` (threshold 0.5), `softmax`, `softplus`,
/// `softsign`, `sparse_plus`, `sparse_sigmoid`, `sparsemax`, `squareplus` (b 4), `tanh`,
/// `tanh_shrink`. `softmax`, `log_softmax` and `sparsemax` act on the last axis, as in Keras. An
/// empty name means `linear`. `sparsemax` is Keras 3.15's, whose threshold sums the running sums
/// in the support, so that a row sums to 1 only when one value is in it (keras-team/keras#23425). Keras's `glu` is left
/// out (it halves the last axis, so its output is not the shape of its input), and so is `threshold` (it needs its
/// threshold and default_value, which a name cannot give).
const std::vector<std::string>& names();

/// Returns the activation called `name`. Throws `tkeras::Error` listing the valid names when
/// `name` is unknown (with the reason for `glu` and `threshold`).
Function get(std::string_view name);

/// The canonical name of an activation, the one Keras saves: `""` becomes `"linear"`, `swish`
/// `silu` and `hard_swish` `hard_silu`; others are checked and kept. Throws as `get`.
std::string canonical_name(std::string_view name);

}  // namespace tkeras::activations
