// export_onnx: a built model's graph of standard ONNX operators, each layer's from its own to_onnx,
// with the model's input and output named as ONNX runtimes expect.
#include "tkeras/export/export_onnx.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "io/atomic_file.h"
#include "io/onnx_graph.h"
#include "io/onnx_proto.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"

namespace tkeras {

void export_onnx(const Model& model, const std::string& path, const ExportOnnxOptions& options) {
  if (!model.built()) {
    throw Error(fmt::format("export_onnx(\"{}\"): {} \"{}\" is not built (call build or fit first)", path,
                            model.class_name(), model.name()));
  }
  if (options.opset < 14 || options.opset > 17) {
    throw Error(fmt::format("export_onnx: expected opset between 14 and 17, received {}", options.opset));
  }
  // Each layer adds its own operators (its to_onnx), in order.
  io::onnx::GraphBuilder graph;
  // One input is "inputs"; a Functional model's several inputs are named as its Input layers.
  std::vector<io::onnx::Value> inputs;
  if (model.functional() && model.inputs().size() > 1) {
    for (const KerasTensor& input : model.inputs()) {
      inputs.push_back({.name = input.layer()->name(), .shape = input.shape(), .mask = std::nullopt});
    }
  } else {
    inputs.push_back({.name = "inputs", .shape = model.input_shape(), .mask = std::nullopt});
  }
  io::onnx::Value x;
  {
    const torch::NoGradGuard no_grad;
    x = inputs.size() == 1 ? model.to_onnx(graph, inputs.front()) : model.to_onnx_list(graph, inputs);
  }
  const bool passed_through =
      std::any_of(inputs.begin(), inputs.end(), [&](const io::onnx::Value& input) { return input.name == x.name; });
  const bool ids = model.takes_integer_inputs();
  io::onnx::Model file;
  file.ir_version = 8;
  file.producer_name = "tkeras";
  file.producer_version = TKERAS_VERSION;
  file.opset_imports = {{"", options.opset}};
  file.graph = std::move(graph.graph);
  file.graph.name = model.name();
  // The last node's output is the model's: renamed "outputs" (an input passed through unchanged
  // gets an Identity).
  if (file.graph.nodes.empty() || passed_through) {
    file.graph.nodes.push_back({.inputs = {x.name},
                                .outputs = {"outputs"},
                                .name = "outputs/Identity",
                                .op_type = "Identity",
                                .attributes = {}});
  } else {
    for (auto& node : file.graph.nodes) {
      for (auto& input : node.inputs) {
        if (input == x.name) input = "outputs";
      }
      for (auto& output : node.outputs) {
        if (output == x.name) output = "outputs";
      }
    }
  }
  const auto with_batch = [](const Shape& shape) {
    std::vector<std::variant<int64_t, std::string>> dims = {std::string("batch")};
    for (int64_t size : shape) dims.emplace_back(size);
    return dims;
  };
  for (const io::onnx::Value& input : inputs) {
    file.graph.inputs.push_back({.name = input.name,
                                 .elem_type = ids ? io::onnx::DataType::kInt64 : io::onnx::DataType::kFloat,
                                 .shape = with_batch(input.shape)});
  }
  file.graph.outputs.push_back(
      {.name = "outputs", .elem_type = io::onnx::DataType::kFloat, .shape = with_batch(model.output_shape())});
  io::write_file_atomically(path, io::onnx::serialize(file));
}

}  // namespace tkeras
