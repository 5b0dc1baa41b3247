// Operation: an arithmetic operation on symbolic tensors (`x + y`), as Keras's ops.numpy classes
// in a Functional graph.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// An element-wise arithmetic operation of two operands in a Functional graph, as Keras records
/// `x + y` on its symbolic tensors: an `ops.numpy` `Add`, `Subtract`, `Multiply` or `Divide` node
/// (ConvNeXt's residual connections are such). Each operand is a tensor or a number; tensors
/// broadcast together. It has no weights, and a mask ends at it.
///
/// Users write the operators on `KerasTensor`s (`x + y`, `x * 0.5`); model files name the class.
class Operation : public Layer {
 public:
  /// An operation of Keras's ops.numpy class `kind`: `numpy.Add`, `numpy.Subtract`,
  /// `numpy.Multiply` or `numpy.Divide`. Throws `tkeras::Error` for another.
  explicit Operation(std::string kind);
  /// An Operation from its config: `name`.
  static std::shared_ptr<Operation> from_config(const std::string& kind, const Config& config);

  /// The symbolic operation on two tensors.
  static KerasTensor apply(const std::string& kind, const KerasTensor& x1, const KerasTensor& x2);
  /// The symbolic operation on a tensor and a number (`number_first`: the number is `x1`).
  static KerasTensor apply(const std::string& kind, const KerasTensor& x, double number, bool number_first);

  /// Keras's class name: `Add`...
  std::string class_name() const override;
  /// Its Keras class name, which Keras registers ops under.
  std::optional<std::string> registered_name() const override { return class_name(); }
  bool takes_list() const override { return true; }
  CallSignature call_signature() const override;
  Config get_config() const override;
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  /// Throws `tkeras::Error`: an operation takes two operands.
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const Node& node,
                                                                 const std::vector<torch::Tensor>& inputs,
                                                                 const std::vector<torch::Tensor>& masks,
                                                                 bool training) override;
  io::onnx::Value to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                               const std::vector<io::onnx::Value>& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;
  Shape build_list_weights(const std::vector<Shape>& input_shapes) override;
  std::vector<Shape> build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) override;

 private:
  std::string kind_;
};

}  // namespace tkeras::layers

namespace tkeras {

/// `x + y` on symbolic tensors, as in Keras: an `Add` operation in the graph, the shapes broadcast.
KerasTensor operator+(const KerasTensor& x, const KerasTensor& y);
/// `x - y` on symbolic tensors: a `Subtract` operation.
KerasTensor operator-(const KerasTensor& x, const KerasTensor& y);
/// `x * y` on symbolic tensors: a `Multiply` operation.
KerasTensor operator*(const KerasTensor& x, const KerasTensor& y);
/// `x / y` on symbolic tensors: a `Divide` operation.
KerasTensor operator/(const KerasTensor& x, const KerasTensor& y);
/// `x + number`: an `Add` operation with a constant.
KerasTensor operator+(const KerasTensor& x, double number);
/// `x * number`: a `Multiply` operation with a constant.
KerasTensor operator*(const KerasTensor& x, double number);

}  // namespace tkeras
