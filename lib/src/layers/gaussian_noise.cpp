// GaussianNoise: inputs + N(0, stddev^2) while training, as Keras's.
#include "tkeras/layers/gaussian_noise.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

GaussianNoise::GaussianNoise(double stddev, GaussianNoiseOptions options)
    : Layer("gaussian_noise"), stddev_(stddev), seed_(options.seed) {
  if (!(stddev >= 0.0 && stddev <= 1.0)) {
    throw Error(fmt::format("GaussianNoise: expected a stddev in [0, 1], received {}", stddev));
  }
  if (seed_) generator_ = at::make_generator<at::CPUGeneratorImpl>(*seed_);
}

const registry::Registrar<GaussianNoise> gaussian_noise_registration("GaussianNoise");

std::shared_ptr<GaussianNoise> GaussianNoise::from_config(const Config& config) {
  return configured(std::make_shared<GaussianNoise>(ConfigReader(config).number("stddev"),
                                                    GaussianNoiseOptions{.seed = augmentation::seed_from(config)}),
                    config);
}

Config GaussianNoise::get_config() const {
  Config config = Layer::get_config();
  config["stddev"] = stddev_;
  config["seed"] = augmentation::seed_config(seed_);
  return config;
}

Shape GaussianNoise::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor GaussianNoise::call(const torch::Tensor& inputs, bool training) {
  if (!training || stddev_ == 0.0) return inputs;
  const torch::Tensor noise =
      generator_ ? torch::normal(0.0, stddev_, inputs.sizes(), *generator_, torch::kFloat32).to(inputs.options())
                 : torch::normal(0.0, stddev_, inputs.sizes(), std::nullopt, inputs.options());
  return inputs + noise;
}

// At inference, the identity.
io::onnx::Value GaussianNoise::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, inputs.name);
}

}  // namespace tkeras::layers
