// SpatialDropout1D and SpatialDropout2D: Keras's dropout with a noise shape of whole feature maps.
#include "tkeras/layers/spatial_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

SpatialDropout::SpatialDropout(std::string_view base_name, std::string_view layer, double rate,
                               std::optional<uint64_t> seed)
    : Layer(base_name), rate_(rate), seed_(seed) {
  if (!(rate >= 0.0 && rate <= 1.0))
    throw Error(fmt::format("{}: expected a rate in [0, 1], received {}", layer, rate));
  if (seed) generator_ = at::make_generator<at::CPUGeneratorImpl>(*seed);
}

Config SpatialDropout::get_config() const {
  Config config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = augmentation::seed_config(seed_);
  return config;
}

Config SpatialDropout::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  Config config = get_config();
  config.erase("trainable");
  return keras_format::entry(*this, std::move(config));
}

Shape SpatialDropout::checked_rank(std::string_view layer, const Shape& input_shape, size_t rank) {
  if (input_shape.size() != rank) {
    throw Error(fmt::format("{}: expected inputs of rank {} (with the batch axis), received {}", layer, rank + 1,
                            format_batch_shape(input_shape)));
  }
  return input_shape;
}

// As Keras's torch dropout with a noise shape: a Bernoulli(1 - rate) draw per feature map,
// broadcast over it; kept values divided by 1 - rate, the others 0 (all 0 at rate 1).
torch::Tensor SpatialDropout::call(const torch::Tensor& inputs, bool training) {
  if (!training || rate_ == 0.0) return inputs;
  if (rate_ == 1.0) return torch::zeros_like(inputs);
  const double keep = 1.0 - rate_;
  const std::vector<int64_t> shape = noise_shape(inputs);
  const torch::Tensor mask =
      generator_ ? torch::bernoulli(torch::full(shape, keep, torch::kFloat32), *generator_).to(inputs.device())
                 : torch::bernoulli(torch::full(shape, keep, inputs.options().dtype(torch::kFloat32)));
  return torch::where(mask.to(torch::kBool), inputs / keep, torch::zeros({}, inputs.options()));
}

// At inference, the identity.
io::onnx::Value SpatialDropout::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, inputs.name);
}

SpatialDropout1D::SpatialDropout1D(double rate, SpatialDropout1DOptions options)
    : SpatialDropout("spatial_dropout1d", "SpatialDropout1D", rate, options.seed) {}

const registry::Registrar<SpatialDropout1D> spatial_dropout1d_registration("SpatialDropout1D");

std::shared_ptr<SpatialDropout1D> SpatialDropout1D::from_config(const Config& config) {
  return configured(
      std::make_shared<SpatialDropout1D>(ConfigReader(config).number("rate"),
                                         SpatialDropout1DOptions{.seed = augmentation::seed_from(config)}),
      config);
}

Shape SpatialDropout1D::build_weights(const Shape& input_shape) {
  return checked_rank("SpatialDropout1D", input_shape, 2);
}

std::vector<int64_t> SpatialDropout1D::noise_shape(const torch::Tensor& inputs) const {
  return {inputs.size(0), 1, inputs.size(2)};
}

SpatialDropout2D::SpatialDropout2D(double rate, SpatialDropout2DOptions options)
    : SpatialDropout("spatial_dropout2d", "SpatialDropout2D", rate, options.seed), options_(std::move(options)) {
  if (options_.data_format != "channels_last" && options_.data_format != "channels_first") {
    throw Error(
        fmt::format("SpatialDropout2D: expected data_format \"channels_last\" or \"channels_first\", received \"{}\"",
                    options_.data_format));
  }
}

const registry::Registrar<SpatialDropout2D> spatial_dropout2d_registration("SpatialDropout2D");

std::shared_ptr<SpatialDropout2D> SpatialDropout2D::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(
      std::make_shared<SpatialDropout2D>(
          read.number("rate"), SpatialDropout2DOptions{.data_format = read.string("data_format", "channels_last"),
                                                       .seed = augmentation::seed_from(config)}),
      config);
}

Config SpatialDropout2D::get_config() const {
  Config config = SpatialDropout::get_config();
  config["data_format"] = options_.data_format;
  return config;
}

Shape SpatialDropout2D::build_weights(const Shape& input_shape) {
  return checked_rank("SpatialDropout2D", input_shape, 3);
}

std::vector<int64_t> SpatialDropout2D::noise_shape(const torch::Tensor& inputs) const {
  if (options_.data_format == "channels_first") return {inputs.size(0), inputs.size(1), 1, 1};
  return {inputs.size(0), 1, 1, inputs.size(3)};
}

}  // namespace tkeras::layers
