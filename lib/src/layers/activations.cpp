// The activation functions known by name, each as Keras 3 computes it (its torch backend's ops),
// with its ONNX operators.
#include "tkeras/layers/activations.h"

#include <algorithm>
#include <numbers>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "tkeras/core/error.h"

namespace tkeras::activations {
namespace {

using layers::onnx_export::Attribute;
using layers::onnx_export::GraphBuilder;

torch::Tensor celu(const torch::Tensor& x) { return torch::celu(x, 1.0); }
torch::Tensor elu(const torch::Tensor& x) { return torch::elu(x, 1.0); }
torch::Tensor exponential(const torch::Tensor& x) { return torch::exp(x); }
torch::Tensor gelu(const torch::Tensor& x) { return torch::gelu(x); }  // the erf form (approximate=False)
torch::Tensor hard_shrink(const torch::Tensor& x) { return torch::hardshrink(x, 0.5); }
torch::Tensor hard_sigmoid(const torch::Tensor& x) { return torch::hardsigmoid(x); }  // relu6(x + 3) / 6
torch::Tensor hard_silu(const torch::Tensor& x) { return torch::hardswish(x); }       // x * relu6(x + 3) / 6
torch::Tensor hard_tanh(const torch::Tensor& x) { return torch::hardtanh(x, -1.0, 1.0); }
torch::Tensor leaky_relu(const torch::Tensor& x) { return torch::leaky_relu(x, 0.2); }
torch::Tensor linear(const torch::Tensor& x) { return x; }
torch::Tensor log_sigmoid(const torch::Tensor& x) { return torch::log_sigmoid(x); }
torch::Tensor log_softmax(const torch::Tensor& x) { return torch::log_softmax(x, -1); }
torch::Tensor mish(const torch::Tensor& x) { return torch::mish(x); }  // x * tanh(softplus(x))
torch::Tensor relu(const torch::Tensor& x) { return torch::relu(x); }
torch::Tensor relu6(const torch::Tensor& x) { return torch::relu6(x); }
torch::Tensor selu(const torch::Tensor& x) { return torch::selu(x); }
torch::Tensor sigmoid(const torch::Tensor& x) { return torch::sigmoid(x); }
torch::Tensor silu(const torch::Tensor& x) { return torch::silu(x); }
torch::Tensor soft_shrink(const torch::Tensor& x) { return torch::softshrink(x, 0.5); }
torch::Tensor softmax(const torch::Tensor& x) { return torch::softmax(x, -1); }
torch::Tensor softplus(const torch::Tensor& x) { return torch::softplus(x); }
torch::Tensor softsign(const torch::Tensor& x) { return torch::nn::functional::softsign(x); }
torch::Tensor tanh(const torch::Tensor& x) { return torch::tanh(x); }
torch::Tensor tanh_shrink(const torch::Tensor& x) { return torch::nn::functional::tanhshrink(x); }

// Keras's own formulas, where LibTorch has no such function.
torch::Tensor sparse_plus(const torch::Tensor& x) {  // 0, (x + 1)^2 / 4 between -1 and 1, then x
  return torch::where(x <= -1, torch::zeros_like(x), torch::where(x < 1, 0.25 * (x + 1).square(), x));
}
torch::Tensor sparse_sigmoid(const torch::Tensor& x) {  // 0, (x + 1) / 2 between -1 and 1, then 1
  return torch::where(x <= -1, torch::zeros_like(x), torch::where(x >= 1, torch::ones_like(x), 0.5 * (x + 1)));
}
torch::Tensor squareplus(const torch::Tensor& x) { return (x + torch::sqrt(x.square() + 4)) / 2; }  // b = 4
// sparsemax on the last axis: max(x - tau, 0), tau from the sorted x. As Keras 3.15, tau is the sum
// of the running sums in the support (not the last of them), less 1, over its size
// (keras-team/keras#23425).
torch::Tensor sparsemax(const torch::Tensor& x) {
  const torch::Tensor sorted = std::get<0>(x.sort(-1, /*descending=*/true));
  const torch::Tensor cumsum = sorted.cumsum(-1);
  const torch::Tensor r = torch::arange(1, x.size(-1) + 1, x.options());
  const torch::Tensor support = sorted - (cumsum - 1) / r > 0;
  const torch::Tensor k = support.sum(-1, /*keepdim=*/true);
  const torch::Tensor tau = (torch::where(support, cumsum, torch::zeros_like(cumsum)).sum(-1, true) - 1) / k;
  return torch::clamp_min(x - tau, 0);
}

// An activation's ONNX operators after the value `x`, in the graph of `graph`, named after `hint`.
struct Onnx {
  GraphBuilder& graph;
  std::string hint;

  std::string op(const std::string& type, std::vector<std::string> inputs,
                 std::vector<Attribute> attributes = {}) const {
    return graph.op(type, std::move(inputs), std::move(attributes), hint);
  }
  std::string scalar(float value) const { return graph.constant(torch::tensor(value), hint + "/constant"); }
  std::string axis() const { return graph.constant(torch::tensor(int64_t{-1}), hint + "/axis"); }
};
using ToOnnx = std::string (*)(const Onnx&, const std::string& x);

// sparsemax on the last axis, as Keras's torch backend: TopK sorts it, CumSum counts 1..n.
std::string sparsemax_onnx(const Onnx& o, const std::string& x) {
  const std::string shape = o.op("Shape", {x});
  const std::string n = o.op("Gather", {shape, o.graph.ints({-1}, o.hint + "/last")});
  const std::string sorted =
      o.graph.op("TopK", {x, n}, {Attribute::of("axis", int64_t{-1}), Attribute::of("largest", int64_t{1})}, o.hint, 2)
          .front();
  const std::string cumsum = o.op("CumSum", {sorted, o.axis()});
  const std::string r = o.op("CumSum", {o.op("Expand", {o.scalar(1), shape}), o.axis()});
  const std::string support =
      o.op("Greater", {o.op("Sub", {sorted, o.op("Div", {o.op("Sub", {cumsum, o.scalar(1)}), r})}), o.scalar(0)});
  const auto sum = [&](const std::string& values) {
    return o.op("ReduceSum", {values, o.graph.ints({-1}, o.hint + "/axes")}, {Attribute::of("keepdims", int64_t{1})});
  };
  const std::string k = sum(o.op("Cast", {support}, {Attribute::of("to", int64_t{1})}));  // to float
  const std::string tau =
      o.op("Div", {o.op("Sub", {sum(o.op("Where", {support, cumsum, o.scalar(0)})), o.scalar(1)}), k});
  return o.op("Relu", {o.op("Sub", {x, tau})});
}

// Each activation by its Keras name, sorted: its function, its ONNX operator when it is one (for
// recurrent layers' own activations), and how to export it when that operator takes attributes
// or several operators make it (Mish and Gelu are not ONNX operators until opset 18 and 20;
// tkeras exports opsets 14 to 17).
struct Entry {
  std::string_view name;
  Function function;
  std::string_view onnx_operator;
  ToOnnx to_onnx = nullptr;
};
constexpr Entry kActivations[] = {
    {"celu", celu, "Celu"},
    {"elu", elu, "Elu"},
    {"exponential", exponential, "Exp"},
    {"gelu", gelu, "",
     [](const Onnx& o, const std::string& x) {  // x / 2 * (1 + erf(x / sqrt(2)))
       const std::string erf = o.op("Erf", {o.op("Mul", {x, o.scalar(static_cast<float>(1.0 / std::numbers::sqrt2))})});
       return o.op("Mul", {o.op("Mul", {x, o.scalar(0.5F)}), o.op("Add", {erf, o.scalar(1)})});
     }},
    {"hard_shrink", hard_shrink, "Shrink",
     [](const Onnx& o, const std::string& x) {
       return o.op("Shrink", {x}, {Attribute::of("lambd", 0.5F), Attribute::of("bias", 0.0F)});
     }},
    {"hard_sigmoid", hard_sigmoid, "HardSigmoid",
     [](const Onnx& o, const std::string& x) {
       return o.op("HardSigmoid", {x}, {Attribute::of("alpha", 1.0F / 6.0F), Attribute::of("beta", 0.5F)});
     }},
    {"hard_silu", hard_silu, "HardSwish"},
    {"hard_tanh", hard_tanh, "",
     [](const Onnx& o, const std::string& x) {
       return o.op("Clip", {x, o.scalar(-1), o.scalar(1)});
     }},
    {"leaky_relu", leaky_relu, "LeakyRelu",
     [](const Onnx& o, const std::string& x) { return o.op("LeakyRelu", {x}, {Attribute::of("alpha", 0.2F)}); }},
    {"linear", linear, "", [](const Onnx& /*o*/, const std::string& x) { return x; }},
    {"log_sigmoid", log_sigmoid, "",
     [](const Onnx& o, const std::string& x) {  // -softplus(-x), which no large x rounds to log(0)
       return o.op("Neg", {o.op("Softplus", {o.op("Neg", {x})})});
     }},
    {"log_softmax", log_softmax, "LogSoftmax",
     [](const Onnx& o, const std::string& x) {
       return o.op("LogSoftmax", {x}, {Attribute::of("axis", int64_t{-1})});  // Keras's: the last axis
     }},
    {"mish", mish, "",
     [](const Onnx& o, const std::string& x) {
       return o.op("Mul", {x, o.op("Tanh", {o.op("Softplus", {x})})});
     }},
    {"relu", relu, "Relu"},
    {"relu6", relu6, "",
     [](const Onnx& o, const std::string& x) {
       return o.op("Clip", {x, o.scalar(0), o.scalar(6)});
     }},
    {"selu", selu, "Selu"},
    {"sigmoid", sigmoid, "Sigmoid"},
    {"silu", silu, "",
     [](const Onnx& o, const std::string& x) {
       return o.op("Mul", {x, o.op("Sigmoid", {x})});
     }},
    {"soft_shrink", soft_shrink, "Shrink",
     [](const Onnx& o, const std::string& x) {
       return o.op("Shrink", {x}, {Attribute::of("lambd", 0.5F), Attribute::of("bias", 0.5F)});
     }},
    {"softmax", softmax, "Softmax",
     [](const Onnx& o, const std::string& x) {
       return o.op("Softmax", {x}, {Attribute::of("axis", int64_t{-1})});  // Keras's: the last axis
     }},
    {"softplus", softplus, "Softplus"},
    {"softsign", softsign, "Softsign"},
    {"sparse_plus", sparse_plus, "",
     [](const Onnx& o, const std::string& x) {
       const std::string plus_one = o.op("Add", {x, o.scalar(1)});
       const std::string middle = o.op("Mul", {o.op("Mul", {plus_one, plus_one}), o.scalar(0.25F)});
       const std::string above = o.op("Where", {o.op("Less", {x, o.scalar(1)}), middle, x});
       return o.op("Where", {o.op("LessOrEqual", {x, o.scalar(-1)}), o.scalar(0), above});
     }},
    {"sparse_sigmoid", sparse_sigmoid, "",
     [](const Onnx& o, const std::string& x) {  // (x + 1) / 2, clipped to [0, 1]: the same values
       const std::string half = o.op("Mul", {o.op("Add", {x, o.scalar(1)}), o.scalar(0.5F)});
       return o.op("Clip", {half, o.scalar(0), o.scalar(1)});
     }},
    {"sparsemax", sparsemax, "", sparsemax_onnx},
    {"squareplus", squareplus, "",
     [](const Onnx& o, const std::string& x) {  // (x + sqrt(x^2 + 4)) / 2
       const std::string root = o.op("Sqrt", {o.op("Add", {o.op("Mul", {x, x}), o.scalar(4)})});
       return o.op("Div", {o.op("Add", {x, root}), o.scalar(2)});
     }},
    {"tanh", tanh, "Tanh"},
    {"tanh_shrink", tanh_shrink, "",
     [](const Onnx& o, const std::string& x) {
       return o.op("Sub", {x, o.op("Tanh", {x})});
     }},
};

// Keras's other names for two of them; Keras saves them under the name they stand for.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {{"hard_swish", "hard_silu"}, {"swish", "silu"}};

// Keras's names that tkeras leaves out, and why.
constexpr std::pair<std::string_view, std::string_view> kLeftOut[] = {
    {"glu", "it halves the last axis, so its output is not the shape of its input"},
    {"threshold", "it needs its threshold and default_value, which a name cannot give"}};

// The entry of `name` (an alias resolved; "" is linear), or null.
const Entry* lookup(std::string_view name) {
  if (name.empty()) name = "linear";
  for (const auto& [alias, target] : kAliases) {
    if (alias == name) name = target;
  }
  for (const Entry& entry : kActivations) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

// The entry of `name`; throws for a name it does not know, saying why for one Keras has.
const Entry& find(std::string_view name) {
  if (const Entry* entry = lookup(name)) return *entry;
  for (const auto& [left_out, why] : kLeftOut) {
    if (left_out == name) {
      throw Error(
          fmt::format("unsupported activation \"{}\" ({}); expected one of: {}", name, why, fmt::join(names(), ", ")));
    }
  }
  throw Error(fmt::format("unknown activation \"{}\"; expected one of: {}", name, fmt::join(names(), ", ")));
}

}  // namespace

const std::vector<std::string>& names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> result;
    for (const Entry& entry : kActivations) result.emplace_back(entry.name);
    for (const auto& alias : kAliases) result.emplace_back(alias.first);
    std::sort(result.begin(), result.end());
    return result;
  }();
  return all;
}

Function get(std::string_view name) { return find(name).function; }

std::string canonical_name(std::string_view name) { return std::string(find(name).name); }

}  // namespace tkeras::activations

namespace tkeras::layers::onnx_export {

std::string activation_operator(std::string_view name) {
  const activations::Entry* entry = activations::lookup(name);
  return entry != nullptr ? std::string(entry->onnx_operator) : "";
}

Value activation(const Layer& layer, GraphBuilder& graph, Value x, const std::string& name) {
  const activations::Entry& entry = activations::find(name);
  const activations::Onnx onnx{.graph = graph, .hint = layer.name()};
  x.name = entry.to_onnx != nullptr ? entry.to_onnx(onnx, x.name) : onnx.op(std::string(entry.onnx_operator), {x.name});
  return x;
}

}  // namespace tkeras::layers::onnx_export
