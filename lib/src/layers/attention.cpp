// Attention: Keras's _calculate_scores, _calculate_score_mask and _apply_scores, on LibTorch's
// matmul and softmax.
#include "tkeras/layers/attention.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

// What Keras subtracts from the scores of masked steps (float32; 65504 for float16).
constexpr double kMaskedScore = 1.0e9;

bool flag_of(const Config& arguments, const char* key) {
  const auto found = arguments.find(key);
  return found != arguments.end() && found->is_boolean() && found->get<bool>();
}

}  // namespace

Attention::Attention(AttentionOptions options)
    : Layer("attention", std::move(options.name)), options_(std::move(options)) {
  if (options_.score_mode != "dot" && options_.score_mode != "concat") {
    throw Error(
        fmt::format("Attention: expected score_mode \"dot\" or \"concat\", received \"{}\"", options_.score_mode));
  }
  if (!(options_.dropout >= 0.0 && options_.dropout < 1.0)) {
    throw Error(fmt::format("Attention: expected a dropout in [0, 1), received {}", options_.dropout));
  }
  if (options_.seed) generator_ = at::make_generator<at::CPUGeneratorImpl>(*options_.seed);
}

const registry::Registrar<Attention> attention_registration("Attention");

std::shared_ptr<Attention> Attention::from_config(const Config& config) {
  const ConfigReader read(config);
  return configured(std::make_shared<Attention>(AttentionOptions{.use_scale = read.boolean("use_scale", false),
                                                                 .score_mode = read.string("score_mode", "dot"),
                                                                 .dropout = read.number("dropout", 0.0),
                                                                 .seed = augmentation::seed_from(config)}),
                    config);
}

Config Attention::get_config() const {
  Config config = Layer::get_config();
  config["use_scale"] = options_.use_scale;
  config["score_mode"] = options_.score_mode;
  config["dropout"] = options_.dropout;
  config["seed"] = augmentation::seed_config(options_.seed);
  return config;
}

Layer::CallSignature Attention::call_signature() const {
  return {.keywords = {"use_causal_mask", "return_attention_scores"}};
}

std::vector<KerasTensor> Attention::call_with(const KerasTensors& inputs, const AttentionCall& call, bool scores) {
  CallOptions options{.training = call.training};
  if (call.use_causal_mask) options.arguments["use_causal_mask"] = true;
  if (scores) options.arguments["return_attention_scores"] = true;
  return call_symbolic(inputs, /*list=*/true, options);
}

KerasTensor Attention::operator()(const KerasTensors& inputs, const AttentionCall& call) {
  return call_with(inputs, call, false).front();
}

std::pair<KerasTensor, KerasTensor> Attention::call_with_scores(const KerasTensors& inputs, const AttentionCall& call) {
  auto outputs = call_with(inputs, call, true);
  return {outputs[0], outputs[1]};
}

Shape Attention::build_weights(const Shape& /*input_shape*/) {
  throw Error(fmt::format("Attention \"{}\": expected a list, [query, value] or [query, value, key]", name()));
}

Shape Attention::build_list_weights(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() < 2 || input_shapes.size() > 3) {
    throw Error(
        fmt::format("Attention \"{}\": expected a list of [query, value] or [query, value, key], received {} "
                    "inputs",
                    name(), input_shapes.size()));
  }
  for (const Shape& shape : input_shapes) {
    if (shape.size() != 2) {
      throw Error(fmt::format("Attention \"{}\": expected inputs of shape (batch, steps, dim), received {}", name(),
                              format_batch_shape(shape)));
    }
  }
  const Shape& query = input_shapes[0];
  const Shape& value = input_shapes[1];
  const Shape& key = input_shapes.size() > 2 ? input_shapes[2] : value;
  if (key[0] != value[0]) {
    throw Error(
        fmt::format("Attention \"{}\": expected a key of the value's {} steps, received {}", name(), value[0], key[0]));
  }
  if (query[1] != key[1]) {
    throw Error(fmt::format("Attention \"{}\": expected a query and a key of the same last size, received {} and {}",
                            name(), query[1], key[1]));
  }
  if (options_.use_scale) scale_ = add_weight("scale", torch::ones({}, initializer_options()));
  if (options_.score_mode == "concat") {
    concat_score_weight_ = add_weight("concat_score_weight", torch::ones({}, initializer_options()));
  }
  return {query[0], value[1]};
}

std::vector<Shape> Attention::build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) {
  if (!list) {
    throw Error(fmt::format("Attention \"{}\": expected a list, [query, value] or [query, value, key]", name()));
  }
  const Shape output = build_list(input_shapes, detail::SymbolicBuildDevice::current());
  if (flag_of(arguments, "return_attention_scores")) return {output, {input_shapes[0][0], input_shapes[1][0]}};
  return {output};
}

torch::Tensor Attention::call(const torch::Tensor& /*inputs*/, bool /*training*/) {
  throw Error(fmt::format("Attention \"{}\": expected a list, [query, value] or [query, value, key]", name()));
}

torch::Tensor Attention::call_list(const std::vector<torch::Tensor>& inputs, bool training) {
  return compute(inputs, {}, false, training).first;
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Attention::call_node(const Node& node,
                                                                          const std::vector<torch::Tensor>& inputs,
                                                                          const std::vector<torch::Tensor>& masks,
                                                                          bool training) {
  auto [output, scores] = compute(inputs, masks, flag_of(node.arguments, "use_causal_mask"), training);
  const torch::Tensor query_mask = masks.empty() ? torch::Tensor() : masks[0];
  std::vector<std::pair<torch::Tensor, torch::Tensor>> outputs = {{output, query_mask}};
  if (flag_of(node.arguments, "return_attention_scores")) outputs.emplace_back(scores, torch::Tensor());
  return outputs;
}

std::pair<torch::Tensor, torch::Tensor> Attention::attend(const std::vector<torch::Tensor>& inputs,
                                                          const std::vector<torch::Tensor>& masks, bool use_causal_mask,
                                                          bool training) {
  std::vector<Shape> shapes;
  for (const torch::Tensor& input : inputs) {
    if (input.dim() != 3) {
      throw Error(fmt::format("Attention \"{}\": expected tensors [batch, steps, dim], received one of rank {}", name(),
                              input.dim()));
    }
    shapes.push_back({input.size(1), input.size(2)});
  }
  if (!built()) build_list(shapes);
  return compute(inputs, masks, use_causal_mask, training);
}

// As Keras's call: the scores, the value's mask and the causal mask, the softmax, its dropout,
// the weighted value, and the query's mask on the output.
std::pair<torch::Tensor, torch::Tensor> Attention::compute(const std::vector<torch::Tensor>& inputs,
                                                           const std::vector<torch::Tensor>& masks, bool causal,
                                                           bool training) {
  if (inputs.size() < 2 || inputs.size() > 3) {
    throw Error(fmt::format("Attention \"{}\": expected [query, value] or [query, value, key], received {} tensors",
                            name(), inputs.size()));
  }
  const torch::Tensor& query = inputs[0];
  const torch::Tensor& value = inputs[1];
  const torch::Tensor& key = inputs.size() > 2 ? inputs[2] : value;
  const auto mask_at = [&](size_t i) { return i < masks.size() ? masks[i] : torch::Tensor(); };
  torch::Tensor scores;  // [batch, Tq, Tv]
  if (options_.score_mode == "dot") {
    scores = torch::matmul(query, key.transpose(-2, -1));
    if (scale_.defined()) scores = scores * scale_;
  } else {
    torch::Tensor sum = query.unsqueeze(-2) + key.unsqueeze(-3);  // [batch, Tq, Tv, dim]
    if (scale_.defined()) sum = scale_ * sum;
    scores = concat_score_weight_ * torch::tanh(sum).sum(-1);
  }
  torch::Tensor allowed = mask_at(1);  // the value's mask, [batch, Tv]
  if (allowed.defined()) allowed = allowed.to(torch::kBool).unsqueeze(-2);
  if (causal) {
    const torch::Tensor lower = torch::ones({1, scores.size(-2), scores.size(-1)},
                                            torch::TensorOptions().dtype(torch::kBool).device(scores.device()))
                                    .tril();
    allowed = allowed.defined() ? allowed.logical_and(lower) : lower;
  }
  if (allowed.defined()) scores = torch::where(allowed, scores, scores - kMaskedScore);
  torch::Tensor weights = torch::softmax(scores, -1);
  if (training && options_.dropout > 0.0) {
    const double keep = 1.0 - options_.dropout;
    const torch::Tensor kept =
        generator_
            ? torch::bernoulli(torch::full(weights.sizes(), keep, torch::kFloat32), *generator_).to(weights.device())
            : torch::bernoulli(torch::full(weights.sizes(), keep, weights.options().dtype(torch::kFloat32)));
    weights = torch::where(kept.to(torch::kBool), weights / keep, torch::zeros({}, weights.options()));
  }
  torch::Tensor output = torch::matmul(weights, value);
  if (const torch::Tensor query_mask = mask_at(0); query_mask.defined()) {
    output = torch::where(query_mask.to(torch::kBool).unsqueeze(-1), output, torch::zeros({}, output.options()));
  }
  return {output, weights};
}

io::onnx::Value Attention::to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                                        const std::vector<io::onnx::Value>& inputs) const {
  using io::onnx::Attribute;
  if (flag_of(node.arguments, "return_attention_scores")) {
    onnx_export::refuse(*this, "tkeras exports its output, not the attention scores as a second output");
  }
  const io::onnx::Value& query = inputs[0];
  const io::onnx::Value& value = inputs[1];
  const io::onnx::Value& key = inputs.size() > 2 ? inputs[2] : value;
  const auto scalar = [&](const char* weight) {
    return graph.constant(onnx_export::weight(*this, weight), name() + "/" + weight);
  };
  std::string scores;
  if (options_.score_mode == "dot") {
    const std::string transposed =
        graph.op("Transpose", {key.name}, {Attribute::of("perm", std::vector<int64_t>{0, 2, 1})}, name());
    scores = graph.op("MatMul", {query.name, transposed}, {}, name());
    if (options_.use_scale) scores = graph.op("Mul", {scores, scalar("scale")}, {}, name());
  } else {
    const std::string q = graph.op("Unsqueeze", {query.name, graph.ints({2}, name() + "/axes")}, {}, name());
    const std::string k = graph.op("Unsqueeze", {key.name, graph.ints({1}, name() + "/axes")}, {}, name());
    std::string sum = graph.op("Add", {q, k}, {}, name());
    if (options_.use_scale) sum = graph.op("Mul", {scalar("scale"), sum}, {}, name());
    const std::string reduced =
        graph.op("ReduceSum", {graph.op("Tanh", {sum}, {}, name()), graph.ints({-1}, name() + "/axes")},
                 {Attribute::of("keepdims", int64_t{0})}, name());
    scores = graph.op("Mul", {scalar("concat_score_weight"), reduced}, {}, name());
  }
  // The allowed steps as 1 and the others 0 ([batch, 1, Tv], times [Tq, Tv] when causal), then
  // (allowed - 1) * 1e9 added: Keras's scores - 1e9 where masked.
  std::optional<std::string> allowed;
  if (value.mask) allowed = graph.op("Unsqueeze", {*value.mask, graph.ints({1}, name() + "/axes")}, {}, name());
  if (flag_of(node.arguments, "use_causal_mask")) {
    const torch::Tensor lower = torch::ones({query.shape.at(0), value.shape.at(0)}).tril();
    const std::string causal = graph.constant(lower, name() + "/causal_mask");
    allowed = allowed ? graph.op("Mul", {*allowed, causal}, {}, name()) : causal;
  }
  if (allowed) {
    const std::string shifted =
        graph.op("Sub", {*allowed, graph.constant(torch::tensor(1.0f), name() + "/one")}, {}, name());
    const std::string bias =
        graph.op("Mul", {shifted, graph.constant(torch::tensor(static_cast<float>(kMaskedScore)), name() + "/masked")},
                 {}, name());
    scores = graph.op("Add", {scores, bias}, {}, name());
  }
  const std::string weights = graph.op("Softmax", {scores}, {Attribute::of("axis", int64_t{-1})}, name());
  std::string output = graph.op("MatMul", {weights, value.name}, {}, name());
  if (query.mask) {
    const std::string keep = graph.op("Unsqueeze", {*query.mask, graph.ints({2}, name() + "/axes")}, {}, name());
    output = graph.op("Mul", {output, keep}, {}, name());
  }
  return {.name = output, .shape = {query.shape.at(0), value.shape.at(1)}, .mask = query.mask};
}

}  // namespace tkeras::layers
