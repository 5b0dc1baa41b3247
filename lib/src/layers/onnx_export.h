// What a layer's to_onnx needs: its weights for a file, a refusal that names it, its output value,
// and Keras's activations as ONNX operators (internal).
#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

#include "io/onnx_graph.h"
#include "tkeras/core/config.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers::onnx_export {

using io::onnx::Attribute;
using io::onnx::GraphBuilder;
using io::onnx::Value;

/// Throws `tkeras::Error`: `layer` cannot be exported, because `why`.
[[noreturn]] void refuse(const Layer& layer, const std::string& why);
/// The layer's own weight `name` as float32 on the CPU; undefined when it has none (no bias).
torch::Tensor weight(const Layer& layer, const std::string& name);
/// A size option of a config as a list: `3` -> `{3}`, `[2, 2]` -> `{2, 2}`.
std::vector<int64_t> ints_of(const Config& value);
/// The value `name` holding the layer's output: its output shape, and the inputs' mask when the
/// layer passes masks on (a mask ends at a layer that does not, as in Keras).
Value output(const Layer& layer, const Value& inputs, std::string name);
/// The ONNX operator of Keras's activation `name` (`Relu`...); empty for linear and for names ONNX
/// lacks.
std::string activation_operator(std::string_view name);
/// Keras's activation `name` after `x` (`linear`: `x` itself); refuses one ONNX lacks.
Value activation(const Layer& layer, GraphBuilder& graph, Value x, const std::string& name);

}  // namespace tkeras::layers::onnx_export
