// UpSampling1D: LibTorch's repeat_interleave over the steps, as Keras's ops.repeat.
#include "tkeras/layers/up_sampling1d.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/spatial.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

UpSampling1D::UpSampling1D(int64_t size) : Layer("up_sampling1d"), size_(size) {
  if (size_ <= 0) throw Error(fmt::format("UpSampling1D: expected a positive size, received {}", size_));
}

const registry::Registrar<UpSampling1D> up_sampling1d_registration("UpSampling1D");

std::shared_ptr<UpSampling1D> UpSampling1D::from_config(const Config& config) {
  const ConfigReader read(config);
  if (!read.has("size")) return configured(std::make_shared<UpSampling1D>(), config);
  const Config& size = read.at("size");
  if (!size.is_number_integer()) {
    throw Error(fmt::format("UpSampling1D: expected \"size\" as an integer, received {}", size.dump()));
  }
  return configured(std::make_shared<UpSampling1D>(size.get<int64_t>()), config);
}

Config UpSampling1D::get_config() const {
  Config config = Layer::get_config();
  config["size"] = size_;
  return config;
}

Shape UpSampling1D::build_weights(const Shape& input_shape) {
  const Shape sequence = spatial::sequence_shape(*this, input_shape);
  return {sequence[0] * size_, sequence[1]};
}

torch::Tensor UpSampling1D::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.repeat_interleave(size_, 1);
}

io::onnx::Value UpSampling1D::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  // Step t of the output reads step floor(t / size): ONNX's asymmetric coordinates, rounded down.
  const std::string scales = graph.constant(torch::tensor({1.0F, static_cast<float>(size_), 1.0F}), name() + "/scales");
  return onnx_export::output(
      *this, inputs,
      graph.op("Resize", {inputs.name, "", scales},
               {Attribute::of("coordinate_transformation_mode", std::string("asymmetric")),
                Attribute::of("mode", std::string("nearest")), Attribute::of("nearest_mode", std::string("floor"))},
               name()));
}

}  // namespace tkeras::layers
