// Dense: kernel and bias, created when the input width is known.
#include "tkeras/layers/dense.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/weight_options.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Dense::Dense(int64_t units, std::string_view activation, bool use_bias)
    : Dense(units, activation, DenseOptions{.use_bias = use_bias}) {}

Dense::Dense(int64_t units, std::string_view activation, const DenseOptions& options)
    : Layer("dense", options.name),
      units_(units),
      activation_name_(activations::canonical_name(activation)),
      activation_(activations::get(activation)),
      options_(options) {
  if (units <= 0) throw Error(fmt::format("Dense: expected a positive number of units, received {}", units));
  weight_options::check("Dense", {options.kernel_initializer, options.kernel_regularizer, options.kernel_constraint});
  weight_options::check("Dense", {options.bias_initializer, options.bias_regularizer, options.bias_constraint});
  set_activity_regularizer(options.activity_regularizer);
}

const registry::Registrar<Dense> dense_registration("Dense");

std::shared_ptr<Dense> Dense::from_config(const Config& config) {
  const ConfigReader read(config);
  const weight_options::WeightOptions kernel = weight_options::read(config, "kernel", "glorot_uniform");
  const weight_options::WeightOptions bias = weight_options::read(config, "bias", "zeros");
  return configured(std::make_shared<Dense>(read.positive_int("units"), read.string("activation", "linear"),
                                            DenseOptions{.use_bias = read.boolean("use_bias", true),
                                                         .kernel_initializer = kernel.initializer,
                                                         .bias_initializer = bias.initializer,
                                                         .kernel_regularizer = kernel.regularizer,
                                                         .bias_regularizer = bias.regularizer,
                                                         .kernel_constraint = kernel.constraint,
                                                         .bias_constraint = bias.constraint}),
                    config);
}

Config Dense::get_config() const {
  Config config = Layer::get_config();
  config["units"] = units_;
  config["activation"] = activation_name_;
  config["use_bias"] = options_.use_bias;
  weight_options::write(config, "kernel",
                        {options_.kernel_initializer, options_.kernel_regularizer, options_.kernel_constraint});
  weight_options::write(config, "bias",
                        {options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint});
  return config;
}

Shape Dense::build_weights(const Shape& input_shape) {
  if (input_shape.empty()) {
    throw Error(fmt::format("Dense \"{}\": expected input with a feature axis, received shape (None,)", name()));
  }
  const int64_t fan_in = input_shape.back();
  const torch::TensorOptions options = initializer_options();
  const torch::Tensor initial = initial_value(options_.kernel_initializer, {fan_in, units_});
  // Keras's shape [in, units], stored as torch::nn::Linear stores its weight ([units, in] in
  // memory): MKL multiplies by it faster, most for a narrow output (a softmax over 10 classes:
  // forward and backward 2.5x faster at batch 128, docs/benchmarks.md), and backward writes the
  // gradient in the same layout.
  kernel_ = add_weight("kernel", torch::empty({units_, fan_in}, options).t().copy_(initial), /*trainable=*/true,
                       regularizers::get(options_.kernel_regularizer), constraints::get(options_.kernel_constraint));
  if (options_.use_bias) {
    bias_ = add_weight("bias", initial_value(options_.bias_initializer, {units_}), /*trainable=*/true,
                       regularizers::get(options_.bias_regularizer), constraints::get(options_.bias_constraint));
  }
  Shape output_shape = input_shape;
  output_shape.back() = units_;
  return output_shape;
}

torch::Tensor Dense::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  if (inputs.dim() == 2) return options_.use_bias ? torch::addmm(bias_, inputs, kernel_) : torch::mm(inputs, kernel_);
  torch::Tensor outputs = torch::matmul(inputs, kernel_);
  return options_.use_bias ? outputs + bias_ : outputs;
}

torch::Tensor Dense::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value Dense::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using namespace onnx_export;
  Value out = onnx_export::output(
      *this, inputs,
      graph.op("MatMul", {inputs.name, graph.constant(weight(*this, "kernel"), name() + "/kernel")}, {}, name()));
  if (const torch::Tensor bias = weight(*this, "bias"); bias.defined()) {
    out.name = graph.op("Add", {out.name, graph.constant(bias, name() + "/bias")}, {}, name());
  }
  return onnx_export::activation(*this, graph, out, activation_name_);
}

}  // namespace tkeras::layers
