// Softmax: Keras's Softmax layer, over one axis or several, with its mask.
#include "tkeras/layers/softmax.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

// Keras's _large_negative_number for float32.
constexpr double kSoftmaxMasked = -1e9;

}  // namespace

Softmax::Softmax(SoftmaxOptions options) : Layer("softmax"), options_(std::move(options)) {
  if (options_.axis.empty()) throw Error("Softmax: expected axis as an integer or a non-empty list, received []");
  axis_list_ = options_.axis.size() > 1;
}

const registry::Registrar<Softmax> softmax_registration("Softmax");

std::shared_ptr<Softmax> Softmax::from_config(const Config& config) {
  const ConfigReader read(config);
  if (!read.has("axis")) return configured(std::make_shared<Softmax>(), config);
  const Config& axis = read.at("axis");
  const bool list = axis.is_array();
  const bool valid =
      axis.is_number_integer() ||
      (list && std::all_of(axis.begin(), axis.end(), [](const Config& a) { return a.is_number_integer(); }));
  if (!valid)
    throw Error(fmt::format("Softmax: expected axis as an integer or a list of integers, received {}", axis.dump()));
  auto layer = std::make_shared<Softmax>(
      SoftmaxOptions{.axis = list ? axis.get<std::vector<int64_t>>() : std::vector<int64_t>{axis.get<int64_t>()}});
  layer->axis_list_ = list;
  return configured(layer, config);
}

Config Softmax::get_config() const {
  Config config = Layer::get_config();
  config["axis"] = axis_list_ ? Config(options_.axis) : Config(options_.axis.front());
  return config;
}

std::vector<int64_t> Softmax::axes(int64_t rank) const {
  std::vector<int64_t> axes;
  for (const int64_t axis : options_.axis) {
    if (axis < -rank || axis >= rank) {
      throw Error(fmt::format("Softmax: expected each axis in [{}, {}) for inputs of rank {}, received axis {}", -rank,
                              rank, rank, fmt::join(options_.axis, ", ")));
    }
    axes.push_back(axis < 0 ? axis + rank : axis);
  }
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw Error(fmt::format("Softmax: expected distinct axes, received axis [{}] for inputs of rank {}",
                            fmt::join(options_.axis, ", "), rank));
  }
  return axes;
}

Shape Softmax::build_weights(const Shape& input_shape) {
  axes(static_cast<int64_t>(input_shape.size()) + 1);
  return input_shape;
}

torch::Tensor Softmax::call(const torch::Tensor& inputs, bool /*training*/) {
  const std::vector<int64_t> dims = axes(inputs.dim());
  if (dims.size() == 1) return torch::softmax(inputs, dims.front());
  return torch::exp(inputs - torch::logsumexp(inputs, dims, /*keepdim=*/true));
}

torch::Tensor Softmax::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) {
  if (!mask.defined()) return call(inputs, training);
  // Keras's check: the mask has no more axes than the inputs, and each, from the right, is 1 or
  // the inputs' size.
  bool broadcasts = mask.dim() <= inputs.dim();
  for (int64_t i = 1; broadcasts && i <= mask.dim(); ++i) {
    const int64_t m = mask.size(-i);
    broadcasts = m == 1 || m == inputs.size(-i);
  }
  if (!broadcasts) {
    throw Error(
        fmt::format("Softmax: expected a mask that broadcasts to the inputs from the right, received inputs "
                    "{} and mask {}",
                    format_shape(inputs.sizes().vec()), format_shape(mask.sizes().vec())));
  }
  const torch::Tensor keep = mask.scalar_type() == torch::kBool ? mask : mask > 0.5;
  const torch::Tensor outputs =
      call(torch::where(keep, inputs, torch::full({}, kSoftmaxMasked, inputs.options())), training);
  return torch::where(keep, outputs, torch::zeros({}, outputs.options()));
}

io::onnx::Value Softmax::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  using io::onnx::Attribute;
  const int64_t rank = static_cast<int64_t>(inputs.shape.size()) + 1;
  const std::vector<int64_t> dims = axes(rank);
  std::string x = inputs.name;
  std::string keep;
  if (inputs.mask) {
    // tkeras's mask is float32 [batch, steps]; ONNX's Where broadcasts it from the right, as Keras's
    // where does (a mask that does not broadcast fails when run, as it fails in Keras).
    keep = graph.op("Greater", {*inputs.mask, graph.constant(torch::tensor(0.5F), name() + "/half")}, {}, name());
    x = graph.op("Where",
                 {keep, x, graph.constant(torch::tensor(static_cast<float>(kSoftmaxMasked)), name() + "/masked")}, {},
                 name());
  }
  std::string out;
  if (dims.size() == 1) {
    out = graph.op("Softmax", {x}, {Attribute::of("axis", dims.front())}, name());
  } else {
    const std::string lse =
        graph.op("ReduceLogSumExp", {x}, {Attribute::of("axes", dims), Attribute::of("keepdims", int64_t{1})}, name());
    out = graph.op("Exp", {graph.op("Sub", {x, lse}, {}, name())}, {}, name());
  }
  if (!keep.empty()) {
    out = graph.op("Where", {keep, out, graph.constant(torch::tensor(0.0F), name() + "/zero")}, {}, name());
  }
  return onnx_export::output(*this, inputs, out);
}

}  // namespace tkeras::layers
