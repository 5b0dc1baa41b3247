// Activations: the element-wise functions layers apply by name ("relu", "softmax", ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

namespace tkeras::activations {

/// An activation function: maps a tensor to a tensor of the same shape.
using Function = torch::Tensor (*)(const torch::Tensor&);

/// The activation names tkeras knows, sorted: `linear`, `relu`, `sigmoid`, `softmax`, `tanh`.
/// `softmax` acts on the last axis, as in Keras. An empty name means `linear`.
const std::vector<std::string>& names();

/// Returns the activation called `name`. Throws `tkeras::Error` listing the valid names when
/// `name` is unknown.
Function get(std::string_view name);

/// The canonical name of an activation: `""` becomes `"linear"`; others are checked and kept.
std::string canonical_name(std::string_view name);

}  // namespace tkeras::activations
