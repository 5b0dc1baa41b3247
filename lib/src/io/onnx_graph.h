// An ONNX graph under construction, and the values flowing through it: what each layer's own
// to_onnx adds its operators to (internal).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "io/onnx_proto.h"
#include "tkeras/core/shape.h"

namespace tkeras::io::onnx {

/// A value flowing through the exported model: its name in the graph, its shape without the
/// batch axis, and the mask an `Embedding(mask_zero)` made (float32 `[batch, steps]`, 1 where a
/// step counts), if any.
struct Value {
  std::string name;
  Shape shape;
  std::optional<std::string> mask;
};

/// The graph being built: its nodes and initializers, with unique names for both.
class GraphBuilder {
 public:
  /// `hint`, or `hint_1`, `hint_2`... when taken.
  std::string unique(const std::string& hint);
  /// A float32 (or, for an int64 tensor, int64) constant stored as an initializer; returns its name.
  std::string constant(const torch::Tensor& value, const std::string& hint);
  /// An int64 vector constant (shapes, axes, pads).
  std::string ints(const std::vector<int64_t>& values, const std::string& hint);
  /// One operator of `type` with `outputs` outputs; returns their names.
  std::vector<std::string> op(const std::string& type, std::vector<std::string> inputs,
                              std::vector<Attribute> attributes, const std::string& hint, int outputs);
  /// One operator of `type` with one output; returns its name.
  std::string op(const std::string& type, std::vector<std::string> inputs, std::vector<Attribute> attributes,
                 const std::string& hint);
  /// `[N, ..., C]` (rank 3 or 4) to channels-first, for an operator that takes channels first.
  std::string to_channels_first(const std::string& x, size_t rank, const std::string& hint);
  /// Channels-first back to channels-last.
  std::string to_channels_last(const std::string& x, size_t rank, const std::string& hint);

  /// The graph so far.
  Graph graph;

 private:
  std::map<std::string, int> counts_;
};

/// ONNX's `auto_pad` for Keras's `padding`: "same" is `SAME_UPPER` (more at the end, as Keras),
/// "valid" `VALID`.
std::string auto_pad(const std::string& padding);

}  // namespace tkeras::io::onnx
