// Dense: kernel and bias, created when the input width is known.
#include "tkeras/layers/dense.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Dense::Dense(int64_t units, std::string_view activation, bool use_bias)
    : Dense(units, activation, DenseOptions{.use_bias = use_bias, .name = {}}) {}

Dense::Dense(int64_t units, std::string_view activation, const DenseOptions& options)
    : Layer("dense", options.name),
      units_(units),
      activation_name_(activations::canonical_name(activation)),
      activation_(activations::get(activation)),
      use_bias_(options.use_bias) {
  if (units <= 0) throw Error(fmt::format("Dense: expected a positive number of units, received {}", units));
}

const registry::Registrar<Dense> dense_registration("Dense");

std::shared_ptr<Dense> Dense::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(std::make_shared<Dense>(read.positive_int("units"), read.string("activation", "linear"),
                                            read.boolean("use_bias", true)),
                    config);
}

Config Dense::get_config() const {
  Config config = Layer::get_config();
  config["units"] = units_;
  config["activation"] = activation_name_;
  config["use_bias"] = use_bias_;
  return config;
}

Shape Dense::build_weights(const Shape& input_shape) {
  if (input_shape.empty()) {
    throw Error(fmt::format("Dense \"{}\": expected input with a feature axis, received shape (None,)", name()));
  }
  const int64_t fan_in = input_shape.back();
  // Glorot-uniform, Keras's default kernel initializer: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).
  const double limit = std::sqrt(6.0 / (static_cast<double>(fan_in) + static_cast<double>(units_)));
  const torch::TensorOptions options = initializer_options();
  const torch::Tensor initial = torch::empty({fan_in, units_}, options).uniform_(-limit, limit);
  // Keras's shape [in, units], stored as torch::nn::Linear stores its weight ([units, in] in
  // memory): MKL multiplies by it faster, most for a narrow output (a softmax over 10 classes:
  // forward and backward 2.5x faster at batch 128, docs/benchmarks.md), and backward writes the
  // gradient in the same layout.
  kernel_ = add_weight("kernel", torch::empty({units_, fan_in}, options).t().copy_(initial));
  if (use_bias_) bias_ = add_weight("bias", torch::zeros({units_}, options));
  Shape output_shape = input_shape;
  output_shape.back() = units_;
  return output_shape;
}

torch::Tensor Dense::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  if (inputs.dim() == 2) return use_bias_ ? torch::addmm(bias_, inputs, kernel_) : torch::mm(inputs, kernel_);
  torch::Tensor outputs = torch::matmul(inputs, kernel_);
  return use_bias_ ? outputs + bias_ : outputs;
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
