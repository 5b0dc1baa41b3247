// TorchModule: a LibTorch module's parameters and buffers as the layer's weights, its forward as
// the layer's call, its output shape from a dry run.
#include "tkeras/layers/torch_module.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/dry_run.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

// LibTorch's demangled type name without namespaces and the `Impl` of its module holders:
// `torch::nn::LSTMImpl` -> `LSTM`.
std::string short_type(const std::string& name) {
  std::string type = name;
  // Drop template arguments, then namespaces.
  if (const size_t angle = type.find('<'); angle != std::string::npos) type.resize(angle);
  if (const size_t colon = type.rfind("::"); colon != std::string::npos) type = type.substr(colon + 2);
  if (type.size() > 4 && type.ends_with("Impl")) type.resize(type.size() - 4);
  return type.empty() ? "Module" : type;
}

}  // namespace

// A file holds a TorchModule's weights, not its module: loading one takes a custom object.
const registry::Registrar<TorchModule> torch_module_registration("TorchModule", [](std::string_view key) {
  return fmt::format("a TorchModule wrapping a LibTorch module \"{}\"", key);
});

TorchModule::TorchModule(Erased, std::shared_ptr<torch::nn::Module> module, Forward forward, TorchModuleOptions options)
    : Layer("torch_module", options.name),
      module_(std::move(module)),
      forward_(std::move(forward)),
      options_(std::move(options)) {
  if (!module_) throw Error("TorchModule: expected a module, received an empty one");
  module_type_ = short_type(module_->name());
  if (options_.output_shape) {
    for (int64_t size : *options_.output_shape) {
      if (size <= 0) {
        throw Error(fmt::format("TorchModule: expected an output_shape of positive sizes, received {}",
                                format_batch_shape(*options_.output_shape)));
      }
    }
  }
  register_module("module", module_);
  // As Keras's wrapper: the module's parameters are the layer's weights, trainable when they
  // require grad; its buffers (BatchNorm's running statistics) are saved and loaded with them
  // (Keras saves the module's state_dict) but are not among its weights.
  for (const auto& parameter : module_->named_parameters()) {
    track_weight(parameter.key(), parameter.value(), parameter.value().requires_grad());
  }
  for (const auto& buffer : module_->named_buffers()) {
    track_weight(buffer.key(), buffer.value(), /*trainable=*/false, /*listed=*/false);
  }
}

Config TorchModule::get_config() const {
  Config config = Layer::get_config();
  config["module"] = module_type_;
  if (options_.output_shape) config["output_shape"] = *options_.output_shape;
  return config;
}

Shape TorchModule::build_weights(const Shape& input_shape) {
  // A loader's dry build (on the meta device) leaves the module where its factory made it.
  if (!build_device().is_meta()) module_->to(build_device());
  if (options_.output_shape) return *options_.output_shape;
  torch::Device device = build_device().is_meta() ? torch::Device(torch::kCPU) : build_device();
  const auto parameters = module_->parameters();
  if (!parameters.empty()) device = parameters.front().device();
  const bool was_training = module_->is_training();
  module_->eval();
  Shape output;
  try {
    output = dry_run::output_shape(*this, forward_, input_shape, torch::TensorOptions().device(device));
  } catch (...) {
    module_->train(was_training);
    throw;
  }
  module_->train(was_training);
  return output;
}

torch::Tensor TorchModule::call(const torch::Tensor& inputs, bool training) {
  // As Keras's TorchModuleWrapper: the module's mode follows the call's `training`.
  if (module_->is_training() != training) module_->train(training);
  return forward_(inputs);
}

KerasWeightsPlace TorchModule::keras_weights_place() const {
  throw Error(
      fmt::format("TorchModule \"{}\": Keras's weights file cannot hold a wrapped LibTorch module (Keras "
                  "pickles its state); save the model with save_weights(\"....safetensors\") instead",
                  name()));
}

io::onnx::Value TorchModule::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& /*inputs*/) const {
  onnx_export::refuse(*this, "it runs C++ code, which an ONNX file cannot hold");
}

Config TorchModule::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  keras_format::refuse_code(*this);
}

}  // namespace tkeras::layers
