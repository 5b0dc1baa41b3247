// GaussianDropout: inputs * N(1, rate / (1 - rate)) while training, as Keras's.
#include "tkeras/layers/gaussian_dropout.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

GaussianDropout::GaussianDropout(double rate, GaussianDropoutOptions options)
    : Layer("gaussian_dropout"), rate_(rate), seed_(options.seed) {
  if (!(rate >= 0.0 && rate <= 1.0)) {
    throw Error(fmt::format("GaussianDropout: expected a rate in [0, 1], received {}", rate));
  }
  if (seed_) generator_ = at::make_generator<at::CPUGeneratorImpl>(*seed_);
}

const registry::Registrar<GaussianDropout> gaussian_dropout_registration("GaussianDropout");

std::shared_ptr<GaussianDropout> GaussianDropout::from_config(const Config& config) {
  return configured(std::make_shared<GaussianDropout>(ConfigReader(config).number("rate"),
                                                      GaussianDropoutOptions{.seed = augmentation::seed_from(config)}),
                    config);
}

Config GaussianDropout::get_config() const {
  Config config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = augmentation::seed_config(seed_);
  return config;
}

Shape GaussianDropout::build_weights(const Shape& input_shape) { return input_shape; }

torch::Tensor GaussianDropout::call(const torch::Tensor& inputs, bool training) {
  if (!training || rate_ == 0.0) return inputs;
  if (rate_ == 1.0) {
    throw Error(
        fmt::format("GaussianDropout \"{}\": expected a rate < 1 to train (the noise's stddev is "
                    "sqrt(rate / (1 - rate))), received 1",
                    name()));
  }
  const double stddev = std::sqrt(rate_ / (1.0 - rate_));
  const torch::Tensor noise =
      generator_ ? torch::normal(1.0, stddev, inputs.sizes(), *generator_, torch::kFloat32).to(inputs.options())
                 : torch::normal(1.0, stddev, inputs.sizes(), std::nullopt, inputs.options());
  return inputs * noise;
}

// At inference, the identity.
io::onnx::Value GaussianDropout::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, inputs.name);
}

}  // namespace tkeras::layers
