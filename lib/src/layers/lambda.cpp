// Lambda: a function as a layer, its output shape from a dry run.
#include "tkeras/layers/lambda.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/dry_run.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

// A file holds a Lambda's name, not its function: loading one takes a custom object.
const registry::Registrar<Lambda> lambda_registration("Lambda", [](std::string_view key) {
  return fmt::format("a Lambda \"{}\"", key);
});

Lambda::Lambda(Function function, LambdaOptions options)
    : Layer("lambda", options.name), function_(std::move(function)), output_shape_option_(options.output_shape) {
  if (!function_) throw Error("Lambda: expected a function, received an empty one");
}

Config Lambda::get_config() const {
  Config config = Layer::get_config();
  if (output_shape_option_) config["output_shape"] = *output_shape_option_;
  return config;
}

Shape Lambda::build_weights(const Shape& input_shape) {
  if (output_shape_option_) return *output_shape_option_;
  // As Keras's torch backend: try the meta device first, then real zeros on the CPU, for
  // functions that use an op without a meta kernel.
  try {
    return dry_run::output_shape(*this, function_, input_shape, torch::TensorOptions().device(torch::kMeta));
  } catch (const Error&) {
    return dry_run::output_shape(*this, function_, input_shape, torch::TensorOptions().device(torch::kCPU));
  }
}

torch::Tensor Lambda::call(const torch::Tensor& inputs, bool /*training*/) { return function_(inputs); }

io::onnx::Value Lambda::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& /*inputs*/) const {
  onnx_export::refuse(*this, "it runs C++ code, which an ONNX file cannot hold");
}

Config Lambda::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  keras_format::refuse_code(*this);
}

}  // namespace tkeras::layers
