// Embedding: a table of vectors, looked up with LibTorch's embedding kernel.
#include "tkeras/layers/embedding.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/cuda_capture.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/weight_options.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Embedding::Embedding(int64_t input_dim, int64_t output_dim, EmbeddingOptions options)
    : Layer("embedding"), input_dim_(input_dim), output_dim_(output_dim), options_(options) {
  if (input_dim <= 0) {
    throw Error(
        fmt::format("Embedding: expected a positive input_dim (the number of token ids), received {}", input_dim));
  }
  if (output_dim <= 0) {
    throw Error(fmt::format("Embedding: expected a positive output_dim, received {}", output_dim));
  }
  weight_options::check(
      "Embedding", {options_.embeddings_initializer, options_.embeddings_regularizer, options_.embeddings_constraint});
  set_activity_regularizer(options_.activity_regularizer);
}

const registry::Registrar<Embedding> embedding_registration("Embedding");

std::shared_ptr<Embedding> Embedding::from_config(const Config& config) {
  const ConfigReader read(config);
  const weight_options::WeightOptions embeddings = weight_options::read(config, "embeddings", "uniform");
  return configured(std::make_shared<Embedding>(read.positive_int("input_dim"), read.positive_int("output_dim"),
                                                EmbeddingOptions{.mask_zero = read.boolean("mask_zero", false),
                                                                 .embeddings_initializer = embeddings.initializer,
                                                                 .embeddings_regularizer = embeddings.regularizer,
                                                                 .embeddings_constraint = embeddings.constraint}),
                    config);
}

Config Embedding::get_config() const {
  Config config = Layer::get_config();
  config["input_dim"] = input_dim_;
  config["output_dim"] = output_dim_;
  config["mask_zero"] = options_.mask_zero;
  weight_options::write(
      config, "embeddings",
      {options_.embeddings_initializer, options_.embeddings_regularizer, options_.embeddings_constraint});
  return config;
}

Shape Embedding::build_weights(const Shape& input_shape) {
  embeddings_ = add_weight("embeddings", initial_value(options_.embeddings_initializer, {input_dim_, output_dim_}),
                           /*trainable=*/true, regularizers::get(options_.embeddings_regularizer),
                           constraints::get(options_.embeddings_constraint));
  Shape output_shape = input_shape;
  output_shape.push_back(output_dim_);
  return output_shape;
}

torch::Tensor Embedding::ids(const torch::Tensor& inputs) const {
  if (inputs.is_complex()) {
    throw Error(fmt::format("Embedding \"{}\": expected integer token ids, received complex values", name()));
  }
  torch::Tensor ids = inputs;
  if (ids.scalar_type() != torch::kLong && ids.scalar_type() != torch::kInt) ids = ids.to(torch::kLong);
  const bool capturing = ids.is_cuda() && tkeras::detail::cuda_stream_capturing();
  if (ids.numel() > 0 && !ids.is_meta() && !capturing) {
    // The smallest and largest id in one read from the device (one host sync per batch on CUDA).
    const auto [low, high] = torch::aminmax(ids);
    const torch::Tensor range = torch::stack({low, high}).to(torch::kCPU, torch::kLong);
    const int64_t smallest = range[0].item<int64_t>();
    const int64_t largest = range[1].item<int64_t>();
    if (smallest < 0 || largest >= input_dim_) {
      throw Error(
          fmt::format("Embedding \"{}\": expected token ids in [0, {}) (input_dim = {}), received ids from {} "
                      "to {}; raise input_dim to at least {} or map the ids into range",
                      name(), input_dim_, input_dim_, smallest, largest, std::max(largest + 1, input_dim_)));
    }
  }
  return ids;
}

torch::Tensor Embedding::call(const torch::Tensor& inputs, bool /*training*/) {
  return torch::embedding(embeddings_, ids(inputs));
}

torch::Tensor Embedding::compute_mask(const torch::Tensor& inputs, const torch::Tensor& /*mask*/) const {
  if (!options_.mask_zero) return {};
  return inputs != 0;
}

io::onnx::Value Embedding::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  io::onnx::Value out{
      .name = graph.op("Gather",
                       {graph.constant(onnx_export::weight(*this, "embeddings"), name() + "/embeddings"), inputs.name},
                       {io::onnx::Attribute::of("axis", int64_t{0})}, name()),
      .shape = output_shape(),
      .mask = std::nullopt};
  if (options_.mask_zero) {  // 1 where the id is not 0, as a float32 [batch, steps] mask
    const std::string zero = graph.constant(torch::zeros({}, torch::kLong), name() + "/zero");
    out.mask =
        graph.op("Cast", {graph.op("Not", {graph.op("Equal", {inputs.name, zero}, {}, name())}, {}, name())},
                 {io::onnx::Attribute::of("to", int64_t{static_cast<int64_t>(io::onnx::DataType::kFloat)})}, name());
  }
  return out;
}

}  // namespace tkeras::layers
