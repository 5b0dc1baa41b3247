// LayerScale: x * gamma, gamma one weight per channel.
#include "tkeras/layers/layer_scale.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

LayerScale::LayerScale(double init_values, int64_t projection_dim)
    : Layer("layer_scale"), init_values_(init_values), projection_dim_(projection_dim) {
  if (projection_dim_ <= 0) {
    throw Error(fmt::format("LayerScale: expected a positive projection_dim, received {}", projection_dim_));
  }
}

const registry::Registrar<LayerScale> layer_scale_registration("LayerScale");

std::shared_ptr<LayerScale> LayerScale::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(std::make_shared<LayerScale>(read.number("init_values"), read.positive_int("projection_dim")),
                    config);
}

Config LayerScale::get_config() const {
  Config config = Layer::get_config();
  config["init_values"] = init_values_;
  config["projection_dim"] = projection_dim_;
  return config;
}

Config LayerScale::to_keras(keras_format::Writer& /*writer*/, const std::string& /*path*/) const {
  return keras_format::entry(*this, get_config(), "keras.src.applications.convnext");
}

Shape LayerScale::build_weights(const Shape& input_shape) {
  if (input_shape.empty() || input_shape.back() != projection_dim_) {
    throw Error(
        fmt::format("LayerScale \"{}\": expected inputs of {} channels (its projection_dim), received shape "
                    "(None, {})",
                    name(), projection_dim_, fmt::join(input_shape, ", ")));
  }
  // Keras's weight has no name of its own: its variable is "variable".
  gamma_ = add_weight("variable", torch::full({projection_dim_}, init_values_, initializer_options()));
  return input_shape;
}

torch::Tensor LayerScale::call(const torch::Tensor& inputs, bool /*training*/) { return inputs * gamma_; }

io::onnx::Value LayerScale::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  io::onnx::Value out = onnx_export::output(*this, inputs, inputs.name);
  const std::string gamma = graph.constant(onnx_export::weight(*this, "variable"), name() + "/gamma");
  out.name = graph.op("Mul", {inputs.name, gamma}, {}, name());
  return out;
}

}  // namespace tkeras::layers
