// TimeDistributed: the wrapped layer on each step, or on the steps folded into the batch.
#include "tkeras/layers/time_distributed.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/serialization.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

TimeDistributed::TimeDistributed(const AnyLayer& layer) : Layer("time_distributed"), layer_(layer.get()) {
  if (!layer_) throw Error("TimeDistributed: expected a layer to wrap, received none");
  if (layer_->takes_list()) {
    throw Error(fmt::format("TimeDistributed: expected a layer of one input, received {} \"{}\", which takes a list",
                            layer_->class_name(), layer_->name()));
  }
  add_sublayer("layer", layer_);
}

const registry::Registrar<TimeDistributed> time_distributed_registration("TimeDistributed");

std::shared_ptr<TimeDistributed> TimeDistributed::from_config(const Config& config,
                                                              const CustomObjects& custom_objects) {
  const ConfigReader read(config);
  return configured(std::make_shared<TimeDistributed>(AnyLayer(detail::deserialize(read.at("layer"), custom_objects))),
                    config);
}

Config TimeDistributed::get_config() const {
  Config config = Layer::get_config();
  config["layer"] = detail::serialize(*layer_);
  return config;
}

Config TimeDistributed::to_keras(keras_format::Writer& writer, const std::string& path) const {
  Config config = get_config();
  config["layer"] = writer.entry(*layer_, path + "/layer");
  return keras_format::entry(*this, std::move(config));
}

Config TimeDistributed::from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                                   const std::string& where) {
  Config out = entry;
  Config& config = out["config"];
  if (config.is_object() && config.contains("layer")) {
    config["layer"] = reader.entry(config["layer"], path + "/layer", fmt::format("{} layer", where));
  }
  reader.check_options(out, where);
  return out;
}

Shape TimeDistributed::build_weights(const Shape& input_shape) {
  if (input_shape.size() < 2) {
    throw Error(fmt::format("TimeDistributed \"{}\": expected input of rank 3 or more (batch, steps, ...), received {}",
                            name(), format_batch_shape(input_shape)));
  }
  const Shape step(input_shape.begin() + 1, input_shape.end());
  Shape output = {input_shape[0]};
  const Shape step_output = layer_->build(step, build_device());
  output.insert(output.end(), step_output.begin(), step_output.end());
  return output;
}

torch::Tensor TimeDistributed::distribute(const torch::Tensor& inputs, bool training, bool with_activation) {
  const auto step = [&](const torch::Tensor& x) {
    return with_activation ? layer_->call(x, training) : layer_->call_without_activation(x, training);
  };
  if (training) {
    // As Keras's loop: one call per step, stacked back along the steps.
    std::vector<torch::Tensor> outputs;
    outputs.reserve(static_cast<size_t>(inputs.size(1)));
    for (int64_t t = 0; t < inputs.size(1); ++t) outputs.push_back(step(inputs.select(1, t)));
    return torch::stack(outputs, 1);
  }
  const int64_t batch = inputs.size(0);
  const int64_t steps = inputs.size(1);
  const torch::Tensor outputs = step(inputs.flatten(0, 1));
  std::vector<int64_t> shape = {batch, steps};
  shape.insert(shape.end(), outputs.sizes().begin() + 1, outputs.sizes().end());
  return outputs.reshape(shape);
}

torch::Tensor TimeDistributed::call(const torch::Tensor& inputs, bool training) {
  return distribute(inputs, training, true);
}

torch::Tensor TimeDistributed::call_without_activation(const torch::Tensor& inputs, bool training) {
  return distribute(inputs, training, false);
}

io::onnx::Value TimeDistributed::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const std::string& layer = name();
  const Shape& in = input_shape();
  const Shape& out = output_shape();
  // [N, T, ...] to [N * T, ...]: the steps join the batch.
  std::vector<int64_t> joined = {-1};
  joined.insert(joined.end(), in.begin() + 1, in.end());
  const io::onnx::Value steps{
      .name = graph.op("Reshape", {inputs.name, graph.ints(joined, layer + "/joined")}, {}, layer),
      .shape = Shape(in.begin() + 1, in.end()),
      .mask = std::nullopt};
  const io::onnx::Value step_outputs = layer_->to_onnx(graph, steps);
  // [N * T, ...] back to [N, T, ...].
  std::vector<int64_t> split = {-1};
  split.insert(split.end(), out.begin(), out.end());
  return onnx_export::output(*this, inputs,
                             graph.op("Reshape", {step_outputs.name, graph.ints(split, layer + "/split")}, {}, layer));
}

}  // namespace tkeras::layers
