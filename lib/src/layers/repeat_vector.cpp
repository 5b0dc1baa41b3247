// RepeatVector: a new steps axis, expanded n times.
#include "tkeras/layers/repeat_vector.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

RepeatVector::RepeatVector(int64_t n) : Layer("repeat_vector"), n_(n) {
  if (n_ <= 0) throw Error(fmt::format("RepeatVector: expected a positive n, received {}", n_));
}

const registry::Registrar<RepeatVector> repeat_vector_registration("RepeatVector");

std::shared_ptr<RepeatVector> RepeatVector::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& n = read.at("n");
  if (!n.is_number_integer())
    throw Error(fmt::format("RepeatVector: expected \"n\" as an integer, received {}", n.dump()));
  return configured(std::make_shared<RepeatVector>(n.get<int64_t>()), config);
}

Config RepeatVector::get_config() const {
  Config config = Layer::get_config();
  config["n"] = n_;
  return config;
}

Shape RepeatVector::build_weights(const Shape& input_shape) {
  if (input_shape.size() != 1) {
    throw Error(fmt::format("RepeatVector \"{}\": expected input of rank 2 (batch, features), received {}", name(),
                            format_batch_shape(input_shape)));
  }
  return {n_, input_shape[0]};
}

torch::Tensor RepeatVector::call(const torch::Tensor& inputs, bool /*training*/) {
  return inputs.unsqueeze(1).repeat({1, n_, 1});
}

io::onnx::Value RepeatVector::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const std::string& layer = name();
  const std::string steps = graph.op("Unsqueeze", {inputs.name, graph.ints({1}, layer + "/axes")}, {}, layer);
  return onnx_export::output(*this, inputs,
                             graph.op("Tile", {steps, graph.ints({1, n_, 1}, layer + "/repeats")}, {}, layer));
}

}  // namespace tkeras::layers
