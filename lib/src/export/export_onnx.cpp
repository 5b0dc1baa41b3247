// export_onnx: each layer of a built model as standard ONNX operators, channels-last as tkeras
// computes (convolutions and pooling transpose to ONNX's channels-first and back).
#include "tkeras/export/export_onnx.h"

#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "io/atomic_file.h"
#include "io/onnx_proto.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"

namespace tkeras {
namespace {

namespace onnx = io::onnx;
using onnx::Attribute;

// The graph being built: nodes, initializers, and unique names for both.
class GraphBuilder {
 public:
  std::string unique(const std::string& hint) {
    const int count = counts_[hint]++;
    return count == 0 ? hint : fmt::format("{}_{}", hint, count);
  }

  // A float32 or int64 constant, stored as an initializer.
  std::string constant(const torch::Tensor& value, const std::string& hint) {
    const torch::Tensor data = value.detach().to(torch::kCPU).contiguous();
    onnx::Tensor tensor;
    tensor.name = unique(hint);
    tensor.dims = data.sizes().vec();
    if (data.scalar_type() == torch::kLong) {
      tensor.data_type = onnx::DataType::kInt64;
    } else {
      tensor.data_type = onnx::DataType::kFloat;
    }
    const torch::Tensor stored = data.scalar_type() == torch::kLong ? data : data.to(torch::kFloat32).contiguous();
    tensor.raw_data.assign(static_cast<const char*>(stored.data_ptr()), stored.numel() * stored.element_size());
    graph.initializers.push_back(std::move(tensor));
    return graph.initializers.back().name;
  }
  std::string ints(const std::vector<int64_t>& values, const std::string& hint) {
    return constant(torch::tensor(values, torch::kLong), hint);
  }

  // One operator with `outputs` outputs; returns their names.
  std::vector<std::string> op(const std::string& type, std::vector<std::string> inputs,
                              std::vector<Attribute> attributes, const std::string& hint, int outputs) {
    onnx::Node node;
    node.op_type = type;
    node.name = unique(hint + "/" + type);
    node.inputs = std::move(inputs);
    for (int i = 0; i < outputs; ++i)
      node.outputs.push_back(unique(fmt::format("{}/{}{}", hint, type, i == 0 ? "" : std::to_string(i))));
    node.attributes = std::move(attributes);
    graph.nodes.push_back(node);
    return node.outputs;
  }
  std::string op(const std::string& type, std::vector<std::string> inputs, std::vector<Attribute> attributes,
                 const std::string& hint) {
    return op(type, std::move(inputs), std::move(attributes), hint, 1).front();
  }

  onnx::Graph graph;

 private:
  std::map<std::string, int> counts_;
};

// A value flowing through the model: its name, its shape without the batch axis, and the mask an
// Embedding(mask_zero) made (float32 [batch, steps], 1 where a step counts), if any.
struct Value {
  std::string name;
  Shape shape;
  std::optional<std::string> mask;
};

[[noreturn]] void refuse(const layers::Layer& layer, const std::string& why) {
  throw Error(
      fmt::format("export_onnx: {} \"{}\" cannot be exported to ONNX: {}", layer.class_name(), layer.name(), why));
}

torch::Tensor weight(const layers::Layer& layer, const std::string& name) {
  for (const auto& [weight_name, value] : layer.named_weights()) {
    if (weight_name == name) return value.detach().to(torch::kCPU, torch::kFloat32);
  }
  return {};
}

std::vector<int64_t> ints_of(const Config& value) {
  if (value.is_number_integer()) return {value.get<int64_t>()};
  return value.get<std::vector<int64_t>>();
}

class Exporter {
 public:
  GraphBuilder g;

  Value activation(const layers::Layer& layer, Value x, const std::string& name) {
    if (name == "linear") return x;
    static const std::map<std::string, std::string> kOps = {
        {"relu", "Relu"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"}, {"softmax", "Softmax"}};
    const auto found = kOps.find(name);
    if (found == kOps.end()) refuse(layer, fmt::format("activation \"{}\" has no ONNX operator here", name));
    std::vector<Attribute> attributes;
    if (name == "softmax") attributes.push_back(Attribute::of("axis", int64_t{-1}));
    x.name = g.op(found->second, {x.name}, attributes, layer.name());
    return x;
  }

  // NHWC (or NWC) to channels-first and back, around an ONNX operator that takes channels first.
  std::string to_channels_first(const std::string& x, size_t rank, const std::string& hint) {
    return g.op("Transpose", {x},
                {Attribute::of("perm", rank == 3 ? std::vector<int64_t>{0, 2, 1} : std::vector<int64_t>{0, 3, 1, 2})},
                hint);
  }
  std::string to_channels_last(const std::string& x, size_t rank, const std::string& hint) {
    return g.op("Transpose", {x},
                {Attribute::of("perm", rank == 3 ? std::vector<int64_t>{0, 2, 1} : std::vector<int64_t>{0, 2, 3, 1})},
                hint);
  }

  static std::string auto_pad(const std::string& padding) { return padding == "same" ? "SAME_UPPER" : "VALID"; }

  Value dense(const layers::Layer& layer, Value x, const Config& config) {
    x.name = g.op("MatMul", {x.name, g.constant(weight(layer, "kernel"), layer.name() + "/kernel")}, {}, layer.name());
    if (const torch::Tensor bias = weight(layer, "bias"); bias.defined()) {
      x.name = g.op("Add", {x.name, g.constant(bias, layer.name() + "/bias")}, {}, layer.name());
    }
    return activation(layer, x, config.value("activation", "linear"));
  }

  Value conv(const layers::Layer& layer, Value x, const Config& config, int spatial) {
    const size_t rank = static_cast<size_t>(spatial) + 2;
    const torch::Tensor kernel = weight(layer, "kernel");  // [k..., in, out]
    const torch::Tensor w = spatial == 1 ? kernel.permute({2, 1, 0}) : kernel.permute({3, 2, 0, 1});
    std::vector<std::string> inputs = {to_channels_first(x.name, rank, layer.name()),
                                       g.constant(w, layer.name() + "/kernel")};
    if (const torch::Tensor bias = weight(layer, "bias"); bias.defined())
      inputs.push_back(g.constant(bias, layer.name() + "/bias"));
    const std::vector<int64_t> size = ints_of(config.at("kernel_size"));
    std::vector<int64_t> dilations(static_cast<size_t>(spatial), 1);
    if (config.contains("dilation_rate")) dilations = ints_of(config["dilation_rate"]);
    if (dilations.size() == 1 && spatial == 2) dilations.push_back(dilations[0]);
    std::vector<Attribute> attributes = {Attribute::of("dilations", dilations), Attribute::of("kernel_shape", size),
                                         Attribute::of("strides", ints_of(config.at("strides")))};
    const std::string padding = config.value("padding", "valid");
    if (padding == "causal") {
      // Keras pads causal convolutions on the left only: (kernel - 1) * dilation steps.
      const int64_t left = (size[0] - 1) * dilations[0];
      inputs[0] = g.op("Pad", {inputs[0], g.ints({0, 0, left, 0, 0, 0}, layer.name() + "/pads")}, {}, layer.name());
      attributes.push_back(Attribute::of("auto_pad", std::string("VALID")));
    } else {
      attributes.push_back(Attribute::of("auto_pad", auto_pad(padding)));
    }
    x.name = to_channels_last(g.op("Conv", inputs, attributes, layer.name()), rank, layer.name());
    x.shape = layer.output_shape();
    return activation(layer, x, config.value("activation", "linear"));
  }

  Value pool(const layers::Layer& layer, Value x, const Config& config, int spatial, const std::string& type) {
    const size_t rank = static_cast<size_t>(spatial) + 2;
    std::vector<Attribute> attributes = {Attribute::of("auto_pad", auto_pad(config.value("padding", "valid"))),
                                         Attribute::of("kernel_shape", ints_of(config.at("pool_size"))),
                                         Attribute::of("strides", ints_of(config.at("strides")))};
    x.name = to_channels_last(g.op(type, {to_channels_first(x.name, rank, layer.name())}, attributes, layer.name()),
                              rank, layer.name());
    x.shape = layer.output_shape();
    return x;
  }

  Value recurrent(const layers::Layer& layer, const Value& x, const Config& config,
                  const layers::Layer* backward = nullptr, const std::string& merge_mode = "") {
    if (x.mask) {
      refuse(layer,
             "it is fed a mask (Embedding with mask_zero), and ONNX's recurrent operators take only sequences "
             "padded at the end; export a model without mask_zero");
    }
    const std::string kind =
        layer.class_name() == "Bidirectional" ? config["layer"]["class_name"].get<std::string>() : layer.class_name();
    const Config& cell = layer.class_name() == "Bidirectional" ? config["layer"]["config"] : config;
    const int64_t units = cell.at("units").get<int64_t>();
    const bool sequences = cell.value("return_sequences", false);
    const std::string op = kind == "LSTM" ? "LSTM" : kind == "GRU" ? "GRU" : "RNN";
    const int64_t gates = kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1;
    const bool reset_after = kind == "GRU" && cell.value("reset_after", true);

    // Keras's kernel [in, gates*units], recurrent kernel [units, gates*units] and bias, as ONNX's
    // W [gates*units, in], R and B [2*gates*units], gates in ONNX's order (LSTM: i, o, f, c).
    const auto convert = [&](const std::string& prefix) {
      const auto reorder = [&](const torch::Tensor& t) {  // along dim 0, in chunks of units
        if (kind != "LSTM") return t;
        const auto chunks = t.chunk(4, 0);
        return torch::cat({chunks[0], chunks[3], chunks[1], chunks[2]}, 0);
      };
      const torch::Tensor w = reorder(weight(layer, prefix + "kernel").t());
      const torch::Tensor r = reorder(weight(layer, prefix + "recurrent_kernel").t());
      torch::Tensor bias = weight(layer, prefix + "bias");
      if (!bias.defined()) bias = torch::zeros({reset_after ? 2 : 1, gates * units});
      const torch::Tensor b = reset_after ? torch::cat({bias[0], bias[1]})
                                          : torch::cat({reorder(bias.reshape({-1})), torch::zeros({gates * units})});
      return std::array<torch::Tensor, 3>{w, r, b};
    };
    std::string direction = cell.value("go_backwards", false) ? "reverse" : "forward";
    std::array<torch::Tensor, 3> weights;
    if (backward != nullptr) {
      const auto forward_weights = convert("forward_layer.");
      const auto backward_weights = convert("backward_layer.");
      for (size_t i = 0; i < 3; ++i) weights[i] = torch::stack({forward_weights[i], backward_weights[i]});
      direction = "bidirectional";
    } else {
      const auto own = convert("");
      for (size_t i = 0; i < 3; ++i) weights[i] = own[i].unsqueeze(0);
    }
    const auto onnx_activation = [&](const std::string& name) -> std::string {
      if (name == "tanh") return "Tanh";
      if (name == "sigmoid") return "Sigmoid";
      if (name == "relu") return "Relu";
      refuse(layer, fmt::format("activation \"{}\" has no counterpart in ONNX's {} operator here", name, op));
    };
    std::vector<std::string> activations;
    if (kind != "SimpleRNN") activations.push_back(onnx_activation(cell.value("recurrent_activation", "sigmoid")));
    activations.push_back(onnx_activation(cell.value("activation", "tanh")));
    if (kind == "LSTM") activations.push_back(activations.back());
    if (backward != nullptr) {  // one list per direction
      const std::vector<std::string> forward = activations;
      activations.insert(activations.end(), forward.begin(), forward.end());
    }
    // (onnxruntime runs only layout 0, steps first: the input and outputs are transposed.)
    std::vector<Attribute> attributes = {Attribute::of("activations", activations),
                                         Attribute::of("direction", direction), Attribute::of("hidden_size", units)};
    if (kind == "GRU") attributes.push_back(Attribute::of("linear_before_reset", int64_t{reset_after ? 1 : 0}));
    const std::string& name = layer.name();
    const std::string steps_first =
        g.op("Transpose", {x.name}, {Attribute::of("perm", std::vector<int64_t>{1, 0, 2})}, name);
    const auto raw = g.op(op,
                          {steps_first, g.constant(weights[0], name + "/W"), g.constant(weights[1], name + "/R"),
                           g.constant(weights[2], name + "/B")},
                          attributes, name, 2);
    // Y [steps, directions, batch, units] and Y_h [directions, batch, units], batch first:
    // [batch, steps, directions, units] and [batch, directions, units].
    const std::vector<std::string> outputs = {
        g.op("Transpose", {raw[0]}, {Attribute::of("perm", std::vector<int64_t>{2, 0, 1, 3})}, name),
        g.op("Transpose", {raw[1]}, {Attribute::of("perm", std::vector<int64_t>{1, 0, 2})}, name)};
    Value out{.name = "", .shape = layer.output_shape(), .mask = std::nullopt};
    const int64_t directions = backward != nullptr ? 2 : 1;
    if (backward == nullptr) {
      if (sequences) {
        out.name = g.op("Squeeze", {outputs[0], g.ints({2}, name + "/axes")}, {}, name);
        // Keras's go_backwards returns the steps in the order it took them, ONNX in the input's.
        if (direction == "reverse") {
          out.name = g.op("Slice",
                          {out.name, g.ints({-1}, name + "/starts"), g.ints({INT64_MIN}, name + "/ends"),
                           g.ints({1}, name + "/slice_axes"), g.ints({-1}, name + "/steps")},
                          {}, name);
        }
      } else {
        out.name = g.op("Squeeze", {outputs[1], g.ints({1}, name + "/axes")}, {}, name);
      }
      return out;
    }
    // Bidirectional: the backward steps are in the input's order in both Keras and ONNX.
    const std::string both = sequences ? outputs[0] : outputs[1];
    const int64_t axis = sequences ? 2 : 1;
    if (merge_mode == "concat") {
      out.name = g.op("Reshape",
                      {both, g.ints(sequences ? std::vector<int64_t>{0, 0, directions * units}
                                              : std::vector<int64_t>{0, directions * units},
                                    name + "/shape")},
                      {}, name);
    } else if (merge_mode ==
               "sum") {  // ReduceSum takes its axes as an input, ReduceMean (until opset 18) as an attribute
      out.name =
          g.op("ReduceSum", {both, g.ints({axis}, name + "/axes")}, {Attribute::of("keepdims", int64_t{0})}, name);
    } else if (merge_mode == "ave") {
      out.name = g.op("ReduceMean", {both},
                      {Attribute::of("axes", std::vector<int64_t>{axis}), Attribute::of("keepdims", int64_t{0})}, name);
    } else if (merge_mode == "mul") {
      const auto halves = g.op("Split", {both}, {Attribute::of("axis", axis)}, name, 2);
      out.name =
          g.op("Squeeze", {g.op("Mul", {halves[0], halves[1]}, {}, name), g.ints({axis}, name + "/axes")}, {}, name);
    } else {
      refuse(layer, fmt::format("merge_mode \"{}\" has no ONNX counterpart here", merge_mode));
    }
    return out;
  }

  Value layer(const layers::Layer& layer, Value x) {
    const std::string kind = layer.class_name();
    const Config config = layer.get_config();
    const std::string& name = layer.name();
    if (kind == "Sequential") {
      const auto* model = dynamic_cast<const Model*>(&layer);
      for (const auto& inner : model->layers()) x = this->layer(*inner, x);
      return x;
    }
    Value out = x;
    out.shape = layer.output_shape();
    // The mask goes on through the layers that take one, as in Keras.
    if (!layer.supports_masking() && kind != "Embedding") out.mask.reset();
    if (kind == "Dropout" || kind.starts_with("Random")) return out;  // the identity at inference
    if (kind == "Dense") return dense(layer, out, config);
    if (kind == "Activation") return activation(layer, out, config.value("activation", "linear"));
    if (kind == "Flatten") {
      out.name = g.op("Flatten", {x.name}, {Attribute::of("axis", int64_t{1})}, name);
      return out;
    }
    if (kind == "Reshape") {
      std::vector<int64_t> target = {0};
      for (int64_t size : layer.output_shape()) target.push_back(size);
      out.name = g.op("Reshape", {x.name, g.ints(target, name + "/shape")}, {}, name);
      return out;
    }
    if (kind == "Rescaling") {
      const auto scalar_or_list = [](const Config& value) {
        return value.is_array() ? torch::tensor(value.get<std::vector<double>>(), torch::kFloat32)
                                : torch::tensor(value.get<double>(), torch::kFloat32);
      };
      out.name = g.op("Mul", {x.name, g.constant(scalar_or_list(config.at("scale")), name + "/scale")}, {}, name);
      out.name =
          g.op("Add", {out.name, g.constant(scalar_or_list(config.value("offset", Config(0.0))), name + "/offset")}, {},
               name);
      return out;
    }
    if (kind == "Normalization") return normalization(layer, x, config);
    if (kind == "BatchNormalization") {
      // Inference: gamma * (x - mean) / sqrt(variance + epsilon) + beta, as one Mul and one Add
      // on the last axis (ONNX's BatchNormalization takes the channels first).
      const torch::Tensor mean = weight(layer, "moving_mean").to(torch::kFloat64);
      const torch::Tensor variance = weight(layer, "moving_variance").to(torch::kFloat64);
      torch::Tensor gamma = weight(layer, "gamma");
      torch::Tensor beta = weight(layer, "beta");
      gamma = gamma.defined() ? gamma.to(torch::kFloat64) : torch::ones_like(mean);
      beta = beta.defined() ? beta.to(torch::kFloat64) : torch::zeros_like(mean);
      const torch::Tensor scale = gamma / (variance + config.value("epsilon", 1e-3)).sqrt();
      out.name = g.op("Mul", {x.name, g.constant(scale, name + "/scale")}, {}, name);
      out.name = g.op("Add", {out.name, g.constant(beta - mean * scale, name + "/shift")}, {}, name);
      return out;
    }
    if (kind == "Conv2D") return conv(layer, x, config, 2);
    if (kind == "Conv1D") return conv(layer, x, config, 1);
    if (kind == "MaxPooling2D") return pool(layer, x, config, 2, "MaxPool");
    if (kind == "AveragePooling2D") return pool(layer, x, config, 2, "AveragePool");
    if (kind == "MaxPooling1D") return pool(layer, x, config, 1, "MaxPool");
    if (kind == "AveragePooling1D") return pool(layer, x, config, 1, "AveragePool");
    if (kind == "GlobalAveragePooling2D" || kind == "GlobalAveragePooling1D" || kind == "GlobalMaxPooling1D") {
      const bool keepdims = config.value("keepdims", false);
      const std::vector<int64_t> axes = kind.ends_with("2D") ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1};
      out.mask.reset();
      if (kind == "GlobalAveragePooling1D" && x.mask) {
        // Keras's masked mean: the sum over the steps that count, over their number.
        const std::string mask = g.op("Unsqueeze", {*x.mask, g.ints({2}, name + "/axes")}, {}, name);
        const std::string sum = g.op("ReduceSum", {g.op("Mul", {x.name, mask}, {}, name), g.ints({1}, name + "/axes")},
                                     {Attribute::of("keepdims", int64_t{keepdims ? 1 : 0})}, name);
        const std::string count = g.op("ReduceSum", {mask, g.ints({1}, name + "/axes")},
                                       {Attribute::of("keepdims", int64_t{keepdims ? 1 : 0})}, name);
        out.name = g.op("Div", {sum, count}, {}, name);
        return out;
      }
      out.name = g.op(kind.starts_with("GlobalMax") ? "ReduceMax" : "ReduceMean", {x.name},
                      {Attribute::of("axes", axes), Attribute::of("keepdims", int64_t{keepdims ? 1 : 0})}, name);
      return out;
    }
    if (kind == "Embedding") {
      out.name = g.op("Gather", {g.constant(weight(layer, "embeddings"), name + "/embeddings"), x.name},
                      {Attribute::of("axis", int64_t{0})}, name);
      if (config.value("mask_zero", false)) {
        const std::string zero = g.constant(torch::zeros({}, torch::kLong), name + "/zero");
        out.mask = g.op("Cast", {g.op("Not", {g.op("Equal", {x.name, zero}, {}, name)}, {}, name)},
                        {Attribute::of("to", int64_t{static_cast<int64_t>(onnx::DataType::kFloat)})}, name);
      }
      return out;
    }
    if (kind == "LSTM" || kind == "GRU" || kind == "SimpleRNN") {
      out = recurrent(layer, x, config);
      if (config.value("return_sequences", false) && x.mask) out.mask = x.mask;
      return out;
    }
    if (kind == "Bidirectional") {
      if (config["layer"]["config"].value("go_backwards", false)) refuse(layer, "its forward layer goes backwards");
      return recurrent(layer, x, config, &layer, config.value("merge_mode", "concat"));
    }
    if (kind == "Resizing") return resizing(layer, x, config);
    if (kind == "CenterCrop") {
      const int64_t height = config.at("height").get<int64_t>();
      const int64_t width = config.at("width").get<int64_t>();
      if (x.shape[0] < height || x.shape[1] < width) {
        refuse(layer, fmt::format("its input ({}) is smaller than the crop, which Keras resizes to; crop or resize "
                                  "before the model",
                                  format_shape(x.shape)));
      }
      const int64_t top = (x.shape[0] - height) / 2;
      const int64_t left = (x.shape[1] - width) / 2;
      out.name = g.op("Slice",
                      {x.name, g.ints({top, left}, name + "/starts"),
                       g.ints({top + height, left + width}, name + "/ends"), g.ints({1, 2}, name + "/axes")},
                      {}, name);
      return out;
    }
    if (kind == "TextVectorization") {
      refuse(layer,
             "it processes strings, which standard ONNX operators do not here; export a model of the layers "
             "after it, which takes its token ids, and vectorize the texts in the application");
    }
    if (kind == "TorchModule" || kind == "Lambda") refuse(layer, "it runs C++ code, which an ONNX file cannot hold");
    refuse(layer, "tkeras has no ONNX mapping for this layer class");
  }

  Value normalization(const layers::Layer& layer, Value x, const Config& config) {
    // As the layer computes it: (x - mean) / max(sqrt(variance), 1e-7), or its inverse.
    torch::Tensor mean = weight(layer, "mean");
    torch::Tensor variance = weight(layer, "variance");
    if (!mean.defined()) {
      mean = torch::tensor(config.at("mean").is_array() ? config["mean"].get<std::vector<double>>()
                                                        : std::vector<double>{config["mean"].get<double>()});
      variance =
          torch::tensor(config.at("variance").is_array() ? config["variance"].get<std::vector<double>>()
                                                         : std::vector<double>{config["variance"].get<double>()});
    }
    // The statistics broadcast over the batch and the axes not normalized: [1, ..., size, ...].
    std::vector<int64_t> axes;
    const Config axis = config.value("axis", Config(-1));
    if (axis.is_number_integer()) {
      axes.push_back(axis.get<int64_t>());
    } else if (axis.is_array()) {
      axes = axis.get<std::vector<int64_t>>();
    }
    const auto rank = static_cast<int64_t>(x.shape.size()) + 1;
    std::vector<int64_t> broadcast(static_cast<size_t>(rank), 1);
    for (int64_t a : axes) {
      const int64_t at = a < 0 ? a + rank : a;
      broadcast[static_cast<size_t>(at)] = x.shape[static_cast<size_t>(at - 1)];
    }
    if (mean.numel() == 1) broadcast.assign(1, 1);
    mean = mean.to(torch::kFloat64).reshape(broadcast);
    const torch::Tensor scale = variance.to(torch::kFloat64).reshape(broadcast).sqrt().clamp_min(1e-7);
    const std::string& name = layer.name();
    Value out = x;
    if (config.value("invert", false)) {
      out.name =
          g.op("Add",
               {g.op("Mul", {x.name, g.constant(scale, name + "/scale")}, {}, name), g.constant(mean, name + "/mean")},
               {}, name);
    } else {
      out.name =
          g.op("Div",
               {g.op("Sub", {x.name, g.constant(mean, name + "/mean")}, {}, name), g.constant(scale, name + "/scale")},
               {}, name);
    }
    return out;
  }

  Value resizing(const layers::Layer& layer, Value x, const Config& config) {
    const std::string interpolation = config.value("interpolation", "bilinear");
    if (interpolation != "bilinear" && interpolation != "nearest") {
      refuse(layer, fmt::format("interpolation \"{}\" is exported only as \"bilinear\" or \"nearest\"", interpolation));
    }
    if (config.value("crop_to_aspect_ratio", false) || config.value("pad_to_aspect_ratio", false) ||
        config.value("antialias", false)) {
      refuse(layer, "crop_to_aspect_ratio, pad_to_aspect_ratio and antialias have no ONNX counterpart here");
    }
    const std::string& name = layer.name();
    // Resize's sizes: the batch and channels as they come, then the target height and width.
    const std::string images = to_channels_first(x.name, 4, name);
    const std::string leading =
        g.op("Slice", {g.op("Shape", {images}, {}, name), g.ints({0}, name + "/starts"), g.ints({2}, name + "/ends")},
             {}, name);
    const std::string sizes =
        g.op("Concat",
             {leading, g.ints({config.at("height").get<int64_t>(), config.at("width").get<int64_t>()}, name + "/size")},
             {Attribute::of("axis", int64_t{0})}, name);
    std::vector<Attribute> attributes = {
        Attribute::of("coordinate_transformation_mode", std::string("half_pixel")),
        Attribute::of("mode", std::string(interpolation == "nearest" ? "nearest" : "linear"))};
    // LibTorch's nearest-exact: the source pixel floor((x + 0.5) * scale), ONNX's round_prefer_ceil of half_pixel.
    if (interpolation == "nearest")
      attributes.push_back(Attribute::of("nearest_mode", std::string("round_prefer_ceil")));
    Value out = x;
    out.shape = layer.output_shape();
    out.name = to_channels_last(g.op("Resize", {images, "", "", sizes}, attributes, name), 4, name);
    return out;
  }
};

}  // namespace

void export_onnx(const Model& model, const std::string& path, const ExportOnnxOptions& options) {
  if (!model.built()) {
    throw Error(fmt::format("export_onnx(\"{}\"): {} \"{}\" is not built (call build or fit first)", path,
                            model.class_name(), model.name()));
  }
  if (options.opset < 14 || options.opset > 17) {
    throw Error(fmt::format("export_onnx: expected opset between 14 and 17, received {}", options.opset));
  }
  Exporter exporter;
  const auto& layers = model.layers();
  const bool ids = !layers.empty() && layers.front()->takes_integer_inputs();
  Value x{.name = "inputs", .shape = model.input_shape(), .mask = std::nullopt};
  {
    const torch::NoGradGuard no_grad;
    for (const auto& layer : layers) x = exporter.layer(*layer, x);
  }
  io::onnx::Model file;
  file.ir_version = 8;
  file.producer_name = "tkeras";
  file.producer_version = TKERAS_VERSION;
  file.opset_imports = {{"", options.opset}};
  file.graph = std::move(exporter.g.graph);
  file.graph.name = model.name();
  // The last node's output is the model's: renamed "outputs" (an input passed through unchanged
  // gets an Identity).
  if (file.graph.nodes.empty() || x.name == "inputs") {
    file.graph.nodes.push_back(
        {.inputs = {x.name}, .outputs = {"outputs"}, .name = "outputs/Identity", .op_type = "Identity", .attributes = {}});
  } else {
    for (auto& node : file.graph.nodes) {
      for (auto& input : node.inputs) {
        if (input == x.name) input = "outputs";
      }
      for (auto& output : node.outputs) {
        if (output == x.name) output = "outputs";
      }
    }
  }
  const auto with_batch = [](const Shape& shape) {
    std::vector<std::variant<int64_t, std::string>> dims = {std::string("batch")};
    for (int64_t size : shape) dims.emplace_back(size);
    return dims;
  };
  file.graph.inputs.push_back({.name = "inputs",
                               .elem_type = ids ? io::onnx::DataType::kInt64 : io::onnx::DataType::kFloat,
                               .shape = with_batch(model.input_shape())});
  file.graph.outputs.push_back(
      {.name = "outputs", .elem_type = io::onnx::DataType::kFloat, .shape = with_batch(model.output_shape())});
  io::write_file_atomically(path, io::onnx::serialize(file));
}

}  // namespace tkeras
