// MultiHeadAttention: Keras's projections (EinsumDense), masks and attention paths, on LibTorch's
// scaled_dot_product_attention where Keras's torch backend uses it.
#include "tkeras/layers/multi_head_attention.h"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

// Keras's einsum equations for rank-3 inputs (_build_proj_equation, _build_attention_equation).
constexpr const char* kProjection = "abc,cde->abde";
constexpr const char* kOutputProjection = "abcd,cde->abe";
constexpr const char* kScores = "aecd,abcd->acbe";
constexpr const char* kCombine = "acbe,aecd->abcd";

// The large negatives Keras masks with: its torch backend's dot_product_attention, its Softmax.
constexpr float kAttentionNegative = -0.7f * 3.38953e38f;
constexpr float kSoftmaxNegative = -1e9f;

std::map<std::string, size_t> roles_of(const Config& arguments) {
  std::map<std::string, size_t> roles;
  const Config& names = arguments.at("inputs");
  for (size_t i = 0; i < names.size(); ++i) roles[names[i].get<std::string>()] = i;
  return roles;
}

bool causal_of(const Config& arguments) {
  const auto causal = arguments.find("use_causal_mask");
  return causal != arguments.end() && causal->is_boolean() && causal->get<bool>();
}

bool scores_of(const Config& arguments) {
  const auto scores = arguments.find("return_attention_scores");
  return scores != arguments.end() && scores->is_boolean() && scores->get<bool>();
}

}  // namespace

struct MultiHeadAttention::Inputs {
  torch::Tensor query, value, key, attention_mask;
  torch::Tensor query_mask, value_mask, key_mask;
  bool causal = false;
};

MultiHeadAttention::MultiHeadAttention(int64_t num_heads, int64_t key_dim, MultiHeadAttentionOptions options)
    : Layer("multi_head_attention"), num_heads_(num_heads), key_dim_(key_dim), options_(options) {
  if (num_heads_ <= 0 || key_dim_ <= 0) {
    throw Error(fmt::format("MultiHeadAttention: expected positive num_heads and key_dim, received {} and {}",
                            num_heads_, key_dim_));
  }
  if (options_.value_dim == 0) options_.value_dim = key_dim_;
  if (options_.value_dim < 0 || options_.output_shape < 0) {
    throw Error(fmt::format("MultiHeadAttention: expected positive value_dim and output_shape, received {} and {}",
                            options_.value_dim, options_.output_shape));
  }
  if (!(options_.dropout >= 0.0 && options_.dropout < 1.0)) {
    throw Error(fmt::format("MultiHeadAttention: expected a dropout in [0, 1), received {}", options_.dropout));
  }
  if (options_.sliding_window && *options_.sliding_window <= 0) {
    throw Error(
        fmt::format("MultiHeadAttention: expected a positive sliding_window, received {}", *options_.sliding_window));
  }
}

const registry::Registrar<MultiHeadAttention> multi_head_attention_registration("MultiHeadAttention");

std::shared_ptr<MultiHeadAttention> MultiHeadAttention::from_config(const Config& config) {
  const ConfigReader read(config);
  if (read.has("attention_axes")) {
    const Config& axes = read.at("attention_axes");
    const bool steps = (axes.is_number_integer() && axes.get<int64_t>() == 1) ||
                       (axes.is_array() && axes.size() == 1 && axes[0].is_number_integer() &&
                        (axes[0].get<int64_t>() == 1 || axes[0].get<int64_t>() == -2));
    if (!steps) {
      throw Error(fmt::format("MultiHeadAttention: tkeras attends over the steps (attention_axes [1]), received {}",
                              axes.dump()));
    }
  }
  int64_t output_shape = 0;
  if (read.has("output_shape")) {
    const Config& shape = read.at("output_shape");
    const Config& size = shape.is_array() && shape.size() == 1 ? shape[0] : shape;
    if (!size.is_number_integer() || size.get<int64_t>() <= 0) {
      throw Error(fmt::format("MultiHeadAttention: expected output_shape as one positive size, received {}",
                              shape.dump().substr(0, 120)));
    }
    output_shape = size.get<int64_t>();
  }
  const int64_t key_dim = read.positive_int("key_dim");
  return configured(
      std::make_shared<MultiHeadAttention>(
          read.positive_int("num_heads"), key_dim,
          MultiHeadAttentionOptions{.value_dim = read.has("value_dim") ? read.positive_int("value_dim") : key_dim,
                                    .dropout = read.number("dropout", 0.0),
                                    .use_bias = read.boolean("use_bias", true),
                                    .output_shape = output_shape,
                                    .use_gate = read.boolean("use_gate", false),
                                    .sliding_window = read.has("sliding_window")
                                                          ? std::optional<int64_t>(read.positive_int("sliding_window"))
                                                          : std::nullopt}),
      config);
}

Config MultiHeadAttention::get_config() const {
  Config config = Layer::get_config();
  config["num_heads"] = num_heads_;
  config["key_dim"] = key_dim_;
  config["value_dim"] = options_.value_dim;
  config["dropout"] = options_.dropout;
  config["use_bias"] = options_.use_bias;
  config["use_gate"] = options_.use_gate;
  config["output_shape"] = options_.output_shape > 0 ? Config(options_.output_shape) : Config(nullptr);
  config["attention_axes"] = Config::array({1});
  config["sliding_window"] = options_.sliding_window ? Config(*options_.sliding_window) : Config(nullptr);
  config["seed"] = nullptr;
  return config;
}

Layer::CallSignature MultiHeadAttention::call_signature() const {
  return {.tensors = {"query", "value", "key", "attention_mask"},
          .positional = 2,
          .keywords = {"use_causal_mask", "return_attention_scores"}};
}

KerasTensor MultiHeadAttention::operator()(const KerasTensor& query, const KerasTensor& value,
                                           const MultiHeadAttentionCall& call) {
  std::vector<KerasTensor> inputs = {query, value};
  Config names = Config::array({"query", "value"});
  if (call.key) {
    inputs.push_back(*call.key);
    names.push_back("key");
  }
  if (call.attention_mask) {
    inputs.push_back(*call.attention_mask);
    names.push_back("attention_mask");
  }
  CallOptions options{.training = call.training};
  options.arguments = {{"inputs", std::move(names)}};
  if (call.use_causal_mask) options.arguments["use_causal_mask"] = true;
  return call_symbolic(KerasTensors(std::move(inputs)), /*list=*/true, options).front();
}

std::pair<KerasTensor, KerasTensor> MultiHeadAttention::call_with_scores(const KerasTensor& query,
                                                                         const KerasTensor& value,
                                                                         const MultiHeadAttentionCall& call) {
  std::vector<KerasTensor> inputs = {query, value};
  Config names = Config::array({"query", "value"});
  if (call.key) {
    inputs.push_back(*call.key);
    names.push_back("key");
  }
  if (call.attention_mask) {
    inputs.push_back(*call.attention_mask);
    names.push_back("attention_mask");
  }
  CallOptions options{.training = call.training};
  options.arguments = {{"inputs", std::move(names)}, {"return_attention_scores", true}};
  if (call.use_causal_mask) options.arguments["use_causal_mask"] = true;
  auto outputs = call_symbolic(KerasTensors(std::move(inputs)), /*list=*/true, options);
  return {outputs[0], outputs[1]};
}

Shape MultiHeadAttention::build_weights(const Shape& input_shape) { return build_list_weights({input_shape}); }

// The query's, the value's and the key's shapes, as Keras's build(query_shape, value_shape, key_shape).
Shape MultiHeadAttention::build_list_weights(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() != 3) {
    throw Error(fmt::format("MultiHeadAttention \"{}\": expected a query and a value (and a key), received {} inputs",
                            name(), input_shapes.size()));
  }
  const Shape& query = input_shapes[0];
  const Shape& value = input_shapes[1];
  const Shape& key = input_shapes[2];
  for (const Shape& shape : input_shapes) {
    if (shape.size() != 2) {
      throw Error(fmt::format(
          "MultiHeadAttention \"{}\": expected inputs of shape (batch, steps, features), received one of rank {}",
          name(), shape.size() + 1));
    }
  }
  if (value[0] != key[0]) {
    throw Error(
        fmt::format("MultiHeadAttention \"{}\": expected the value and the key of the same steps, received {} "
                    "and {}",
                    name(), value[0], key[0]));
  }
  const std::optional<torch::Device> device = build_device();
  const auto projection = [&](const char* equation, std::vector<int64_t> shape, const char* bias,
                              const std::string& layer_name, const std::string& attribute, const Shape& input,
                              const std::string& activation = "") {
    auto dense = std::make_shared<EinsumDense>(
        equation, std::move(shape),
        EinsumDenseOptions{.activation = activation, .bias_axes = options_.use_bias ? bias : ""});
    dense->set_name(layer_name);
    dense->build(input, device);
    add_sublayer(attribute, dense);
    return dense;
  };
  query_ = projection(kProjection, {-1, num_heads_, key_dim_}, "de", "query", "query_dense", query);
  key_ = projection(kProjection, {-1, num_heads_, key_dim_}, "de", "key", "key_dense", key);
  if (options_.use_gate) {
    gate_ =
        projection(kProjection, {-1, num_heads_, options_.value_dim}, "de", "gate", "_gate_dense", query, "sigmoid");
  }
  value_ = projection(kProjection, {-1, num_heads_, options_.value_dim}, "de", "value", "value_dense", value);
  const int64_t out = options_.output_shape > 0 ? options_.output_shape : query[1];
  output_ = projection(kOutputProjection, {-1, out}, "e", "attention_output", "output_dense",
                       {query[0], num_heads_, options_.value_dim});
  return {query[0], out};
}

std::vector<Shape> MultiHeadAttention::build_call(const std::vector<Shape>& input_shapes, bool /*list*/,
                                                  const Config& arguments) {
  const auto roles = roles_of(arguments);
  if (!roles.contains("query") || !roles.contains("value")) {
    throw Error(fmt::format("MultiHeadAttention \"{}\": expected a query and a value", name()));
  }
  const Shape& query = input_shapes[roles.at("query")];
  const Shape& value = input_shapes[roles.at("value")];
  const Shape& key = roles.contains("key") ? input_shapes[roles.at("key")] : value;
  const Shape output = build_list({query, value, key}, detail::SymbolicBuildDevice::current());
  if (const auto mask = roles.find("attention_mask"); mask != roles.end()) {
    const Shape& shape = input_shapes[mask->second];
    if (shape != Shape{query[0], value[0]}) {
      throw Error(
          fmt::format("MultiHeadAttention \"{}\": expected an attention_mask of shape (batch, {}, {}), "
                      "received (batch, {})",
                      name(), query[0], value[0], fmt::join(shape, ", ")));
    }
  }
  if (scores_of(arguments)) return {output, {num_heads_, query[0], value[0]}};
  return {output};
}

torch::Tensor MultiHeadAttention::call(const torch::Tensor& /*inputs*/, bool /*training*/) {
  throw Error(fmt::format("MultiHeadAttention \"{}\": expected a query and a value: layer(query, value)", name()));
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> MultiHeadAttention::call_node(
    const Node& node, const std::vector<torch::Tensor>& inputs, const std::vector<torch::Tensor>& masks,
    bool training) {
  const auto roles = roles_of(node.arguments);
  const auto input = [&](const char* role) {
    const auto at = roles.find(role);
    return at == roles.end() ? torch::Tensor() : inputs[at->second];
  };
  const auto mask = [&](const char* role) {
    const auto at = roles.find(role);
    return at == roles.end() || at->second >= masks.size() ? torch::Tensor() : masks[at->second];
  };
  Inputs in{.query = input("query"),
            .value = input("value"),
            .key = input("key"),
            .attention_mask = input("attention_mask"),
            .query_mask = mask("query"),
            .value_mask = mask("value"),
            .key_mask = mask("key"),
            .causal = causal_of(node.arguments)};
  if (!in.key.defined()) in.key = in.value;
  const bool scores = scores_of(node.arguments);
  auto [output, attention] = compute(in, training, scores);
  std::vector<std::pair<torch::Tensor, torch::Tensor>> outputs = {{output, in.query_mask}};
  if (scores) outputs.emplace_back(attention, torch::Tensor());
  return outputs;
}

std::pair<torch::Tensor, torch::Tensor> MultiHeadAttention::attend(const torch::Tensor& query,
                                                                   const torch::Tensor& value,
                                                                   const MultiHeadAttentionTensors& tensors,
                                                                   bool training, bool scores) {
  const torch::Tensor& key = tensors.key.defined() ? tensors.key : value;
  for (const torch::Tensor* tensor : {&query, &value, &key}) {
    if (tensor->dim() != 3) {
      throw Error(fmt::format("MultiHeadAttention \"{}\": expected tensors [batch, steps, features], received {}",
                              name(), tensor->sizes()));
    }
  }
  if (!built())
    build_list({{query.size(1), query.size(2)}, {value.size(1), value.size(2)}, {key.size(1), key.size(2)}});
  return compute({.query = query,
                  .value = value,
                  .key = key,
                  .attention_mask = tensors.attention_mask,
                  .causal = tensors.use_causal_mask},
                 training, scores);
}

// As Keras's call and _compute_attention, for rank-3 inputs.
std::pair<torch::Tensor, torch::Tensor> MultiHeadAttention::compute(const Inputs& in, bool training, bool scores) {
  const int64_t steps = in.query.size(1);
  const int64_t key_steps = in.value.size(1);
  const torch::TensorOptions bools = torch::TensorOptions().dtype(torch::kBool).device(in.query.device());
  const auto causal_mask = [&] { return torch::ones({1, steps, key_steps}, bools).tril(); };
  // When causal masking is the only mask, Keras asks the backend for its causal kernel.
  const bool causal_only = in.causal && !in.query_mask.defined() && !in.value_mask.defined() &&
                           !in.key_mask.defined() && !in.attention_mask.defined() && !options_.sliding_window;
  torch::Tensor mask;  // [batch or 1, T, S], true where a query step may attend
  const auto merge = [&](const torch::Tensor& more) { mask = mask.defined() ? mask.logical_and(more) : more; };
  if (!causal_only) {
    if (in.query_mask.defined()) merge(in.query_mask.to(torch::kBool).unsqueeze(-1));
    if (in.value_mask.defined()) merge(in.value_mask.to(torch::kBool).unsqueeze(-2));
    if (in.key_mask.defined()) merge(in.key_mask.to(torch::kBool).unsqueeze(-2));
    if (in.causal) merge(causal_mask());
    if (options_.sliding_window) {
      const torch::Tensor rows = torch::arange(steps, bools.dtype(torch::kLong)).view({1, steps, 1});
      const torch::Tensor columns = torch::arange(key_steps, bools.dtype(torch::kLong)).view({1, 1, key_steps});
      merge((rows - columns).abs() < *options_.sliding_window);
    }
    if (in.attention_mask.defined()) {
      mask = mask.defined() ? in.attention_mask.to(torch::kBool).logical_and(mask) : in.attention_mask.to(torch::kBool);
    }
  }
  torch::Tensor gate = gate_ ? gate_->call(in.query, training) : torch::Tensor();
  const torch::Tensor query = query_->call(in.query, training);  // [B, T, N, H]
  const torch::Tensor key = key_->call(in.key, training);        // [B, S, N, H]
  const torch::Tensor value = value_->call(in.value, training);  // [B, S, N, Hv]
  const double scale = 1.0 / std::sqrt(static_cast<double>(key_dim_));
  torch::Tensor attended;
  torch::Tensor attention;
  if (options_.dropout == 0.0 && !scores) {
    std::optional<torch::Tensor> bias;
    if (mask.defined()) {
      torch::Tensor expanded = mask;
      while (expanded.dim() < 4) expanded = expanded.unsqueeze(-3);
      bias = torch::where(expanded, torch::zeros({}, query.options()),
                          torch::full({}, kAttentionNegative, query.options()))
                 .contiguous();
    }
    attended = at::scaled_dot_product_attention(query.transpose(1, 2).contiguous(), key.transpose(1, 2).contiguous(),
                                                value.transpose(1, 2).contiguous(), bias, 0.0, causal_only, scale)
                   .transpose(1, 2);
  } else {
    if (causal_only) mask = causal_mask();
    torch::Tensor logits = torch::einsum(kScores, {key, query * static_cast<float>(scale)});  // [B, N, T, S]
    torch::Tensor expanded;
    if (mask.defined()) {
      expanded = mask;
      while (expanded.dim() < 4) expanded = expanded.unsqueeze(-3);
      logits = torch::where(expanded, logits, torch::full({}, kSoftmaxNegative, logits.options()));
    }
    attention = torch::softmax(logits, -1);
    if (expanded.defined()) attention = torch::where(expanded, attention, torch::zeros({}, attention.options()));
    const torch::Tensor dropped =
        training && options_.dropout > 0.0 ? torch::dropout(attention, options_.dropout, true) : attention;
    attended = torch::einsum(kCombine, {dropped, value});
  }
  if (gate.defined()) attended = attended * gate;
  return {output_->call(attended, training), attention};
}

// The attention as ONNX operators: the projections' Einsums, the scores' Softmax, and the masks
// (the inputs', as Embedding's float masks, and a causal one as a constant) as an additive bias,
// as compute's two paths apply them.
io::onnx::Value MultiHeadAttention::to_onnx_node(io::onnx::GraphBuilder& graph, const Node& node,
                                                 const std::vector<io::onnx::Value>& inputs) const {
  using io::onnx::Attribute;
  const auto roles = roles_of(node.arguments);
  if (roles.contains("attention_mask") || options_.sliding_window || scores_of(node.arguments)) {
    onnx_export::refuse(*this, "tkeras exports it without attention_mask, sliding_window or the scores");
  }
  const io::onnx::Value& query = inputs[roles.at("query")];
  const io::onnx::Value& value = inputs[roles.at("value")];
  const io::onnx::Value& key = roles.contains("key") ? inputs[roles.at("key")] : value;
  const io::onnx::Value q = query_->to_onnx(graph, query);
  const io::onnx::Value k = key_->to_onnx(graph, key);
  const io::onnx::Value v = value_->to_onnx(graph, value);
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(key_dim_)));
  const std::string scaled =
      graph.op("Mul", {q.name, graph.constant(torch::tensor(scale), name() + "/scale")}, {}, name());
  std::string logits = graph.op("Einsum", {k.name, scaled}, {Attribute::of("equation", std::string(kScores))}, name());
  // Where a query step may attend, 1, else 0: [batch or 1, T, S].
  std::optional<std::string> allowed;
  const auto merge = [&](const std::string& more) {
    allowed = allowed ? graph.op("Mul", {*allowed, more}, {}, name()) : more;
  };
  const auto unsqueezed = [&](const std::string& mask, int64_t axis) {
    return graph.op("Unsqueeze", {mask, graph.ints({axis}, name() + "/axes")}, {}, name());
  };
  if (query.mask) merge(unsqueezed(*query.mask, 2));
  if (value.mask) merge(unsqueezed(*value.mask, 1));
  if (roles.contains("key") && key.mask) merge(unsqueezed(*key.mask, 1));
  if (causal_of(node.arguments)) {
    const int64_t steps = query.shape.at(0);
    const int64_t key_steps = value.shape.at(0);
    merge(graph.constant(torch::ones({1, steps, key_steps}).tril(), name() + "/causal_mask"));
  }
  // The fused path adds a large negative bias; the explicit one (dropout) masks to -1e9 and
  // zeroes the masked weights after the softmax.
  const bool fused = options_.dropout == 0.0;
  std::optional<std::string> heads_allowed;
  if (allowed) {
    heads_allowed = unsqueezed(*allowed, 1);
    const std::string shifted =
        graph.op("Sub", {*heads_allowed, graph.constant(torch::tensor(1.0f), name() + "/one")}, {}, name());
    const float negative = fused ? -kAttentionNegative : -kSoftmaxNegative;
    const std::string bias =
        graph.op("Mul", {shifted, graph.constant(torch::tensor(negative), name() + "/masked")}, {}, name());
    logits = graph.op("Add", {logits, bias}, {}, name());
  }
  std::string attention = graph.op("Softmax", {logits}, {Attribute::of("axis", int64_t{-1})}, name());
  if (heads_allowed && !fused) attention = graph.op("Mul", {attention, *heads_allowed}, {}, name());
  std::string attended =
      graph.op("Einsum", {attention, v.name}, {Attribute::of("equation", std::string(kCombine))}, name());
  if (gate_) attended = graph.op("Mul", {attended, gate_->to_onnx(graph, query).name}, {}, name());
  io::onnx::Value heads{.name = attended, .shape = {query.shape.at(0), num_heads_, options_.value_dim}};
  io::onnx::Value out = output_->to_onnx(graph, heads);
  out.mask = query.mask;
  return out;
}

}  // namespace tkeras::layers
