// BatchNormalization with Keras's statistics: biased batch variance, Keras's momentum.
#include "tkeras/layers/batch_normalization.h"

#include <numeric>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer("batch_normalization"), options_(options) {
  if (!(options.momentum >= 0.0 && options.momentum <= 1.0)) {
    throw Error(fmt::format("BatchNormalization: expected a momentum in [0, 1], received {}", options.momentum));
  }
  if (!(options.epsilon > 0.0)) {
    throw Error(fmt::format("BatchNormalization: expected a positive epsilon, received {}", options.epsilon));
  }
}

const registry::Registrar<BatchNormalization> batch_normalization_registration("BatchNormalization");

std::shared_ptr<BatchNormalization> BatchNormalization::from_config(const Config& config) {
  const ConfigReader read(config);
  const BatchNormalizationOptions defaults;
  return configured(std::make_shared<BatchNormalization>(BatchNormalizationOptions{
                        .momentum = read.number("momentum", defaults.momentum),
                        .epsilon = read.number("epsilon", defaults.epsilon),
                        // Keras writes a list ([3]) or a number.
                        .axis = config.contains("axis") && config["axis"].is_array() && config["axis"].size() == 1
                                    ? config["axis"][0].get<int64_t>()
                                    : static_cast<int64_t>(read.number("axis", -1.0)),
                        .center = read.boolean("center", true),
                        .scale = read.boolean("scale", true)}),
                    config);
}

Config BatchNormalization::get_config() const {
  Config config = Layer::get_config();
  config["momentum"] = options_.momentum;
  config["epsilon"] = options_.epsilon;
  if (options_.axis != -1) config["axis"] = options_.axis;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  return config;
}

Shape BatchNormalization::build_weights(const Shape& input_shape) {
  if (input_shape.empty()) {
    throw Error(fmt::format("BatchNormalization \"{}\": expected input with a feature axis, received (None,)", name()));
  }
  if (options_.axis != -1 && options_.axis != static_cast<int64_t>(input_shape.size())) {
    throw Error(
        fmt::format("BatchNormalization \"{}\": normalises the last axis (-1, or {} for input {}), received "
                    "axis={}",
                    name(), input_shape.size(), format_batch_shape(input_shape), options_.axis));
  }
  const int64_t channels = input_shape.back();
  const torch::TensorOptions options = initializer_options();
  if (options_.scale) gamma_ = add_weight("gamma", torch::ones({channels}, options));
  if (options_.center) beta_ = add_weight("beta", torch::zeros({channels}, options));
  moving_mean_ = add_weight("moving_mean", torch::zeros({channels}, options), /*trainable=*/false);
  moving_variance_ = add_weight("moving_variance", torch::ones({channels}, options), /*trainable=*/false);
  return input_shape;
}

torch::Tensor BatchNormalization::call(const torch::Tensor& inputs, bool training) {
  // As Keras 3: a frozen layer normalises with its moving statistics, in fit too.
  if (!training || !trainable()) return normalized(inputs, moving_mean_, moving_variance_);
  std::vector<int64_t> axes(static_cast<size_t>(inputs.dim() - 1));
  std::iota(axes.begin(), axes.end(), 0);
  // As Keras's torch backend's moments: E[x^2] - E[x]^2.
  const torch::Tensor mean = inputs.mean(axes);
  const torch::Tensor variance = inputs.square().mean(axes) - mean.square();
  {
    const torch::NoGradGuard no_grad;
    const double keep = options_.momentum;
    moving_mean_.mul_(keep).add_(mean.detach(), 1.0 - keep);
    moving_variance_.mul_(keep).add_(variance.detach(), 1.0 - keep);
  }
  return normalized(inputs, mean, variance);
}

torch::Tensor BatchNormalization::normalized(const torch::Tensor& inputs, const torch::Tensor& mean,
                                             const torch::Tensor& variance) const {
  // As Keras's torch backend: (x - mean) * (rsqrt(variance + epsilon) * gamma) + beta, in place
  // where no gradient is taken (predict): one new tensor, not four.
  torch::Tensor scale = torch::rsqrt(variance + options_.epsilon);
  if (gamma_.defined()) scale = scale * gamma_;
  if (!torch::GradMode::is_enabled()) {
    torch::Tensor x = (inputs - mean).mul_(scale);
    return beta_.defined() ? x.add_(beta_) : x;
  }
  torch::Tensor x = (inputs - mean) * scale;
  return beta_.defined() ? x + beta_ : x;
}

// Inference: gamma * (x - mean) / sqrt(variance + epsilon) + beta, as one Mul and one Add on the
// last axis (ONNX's BatchNormalization takes the channels first).
io::onnx::Value BatchNormalization::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using onnx_export::weight;
  const torch::Tensor mean = weight(*this, "moving_mean").to(torch::kFloat64);
  const torch::Tensor variance = weight(*this, "moving_variance").to(torch::kFloat64);
  torch::Tensor gamma = weight(*this, "gamma");
  torch::Tensor beta = weight(*this, "beta");
  gamma = gamma.defined() ? gamma.to(torch::kFloat64) : torch::ones_like(mean);
  beta = beta.defined() ? beta.to(torch::kFloat64) : torch::zeros_like(mean);
  const torch::Tensor scale = gamma / (variance + options_.epsilon).sqrt();
  io::onnx::Value out = onnx_export::output(
      *this, inputs, graph.op("Mul", {inputs.name, graph.constant(scale, name() + "/scale")}, {}, name()));
  out.name = graph.op("Add", {out.name, graph.constant(beta - mean * scale, name() + "/shift")}, {}, name());
  return out;
}

}  // namespace tkeras::layers
