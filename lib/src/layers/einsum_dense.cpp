// EinsumDense: Keras's analysis of the equation (its _analyze_einsum_string) for the kernel's and
// the bias's shapes, then LibTorch's einsum.
#include "tkeras/layers/einsum_dense.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

struct Specs {
  std::string input, kernel, output;
  bool left_elided = false;
  bool right_elided = false;
};

bool letters(const std::string& text) {
  return !text.empty() && std::ranges::all_of(text, [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

// Keras's three forms: "in,kernel->out", "...in,kernel->...out" and "in...,kernel->out...".
Specs parse(const std::string& equation) {
  const auto refuse = [&]() -> Specs {
    throw Error(fmt::format(
        "EinsumDense: expected an equation as in,kernel->out, ...in,kernel->...out or in...,kernel->out..., "
        "received \"{}\"",
        equation));
  };
  const size_t comma = equation.find(',');
  const size_t arrow = equation.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) return refuse();
  Specs specs{equation.substr(0, comma), equation.substr(comma + 1, arrow - comma - 1), equation.substr(arrow + 2)};
  const auto strip = [](std::string& spec, bool front) {
    if (spec.size() < 3) return false;
    if (front && spec.starts_with("...")) {
      spec.erase(0, 3);
      return true;
    }
    if (!front && spec.ends_with("...")) {
      spec.erase(spec.size() - 3);
      return true;
    }
    return false;
  };
  if (specs.input.starts_with("...") || specs.output.starts_with("...")) {
    if (!strip(specs.input, true) || !strip(specs.output, true)) return refuse();
    specs.left_elided = true;
  } else if (specs.input.ends_with("...") || specs.output.ends_with("...")) {
    if (!strip(specs.input, false) || !strip(specs.output, false) || specs.input.size() < 2) return refuse();
    specs.right_elided = true;
  }
  if (!letters(specs.input) || !letters(specs.kernel) || !letters(specs.output)) return refuse();
  return specs;
}

struct Analysis {
  Shape kernel;
  Shape bias;    // empty: none
  Shape output;  // without the batch axis
};

// As Keras's _analyze_split_string, on shapes with the batch axis (-1: unknown).
Analysis analyze(const std::string& equation, const std::string& bias_axes, const Shape& input,
                 std::vector<int64_t> output) {
  const Specs specs = parse(equation);
  const auto in_size = static_cast<int64_t>(input.size());
  const int64_t elided = in_size - static_cast<int64_t>(specs.input.size());
  if (elided < 0 || (elided > 0 && !specs.left_elided && !specs.right_elided)) {
    throw Error(fmt::format("EinsumDense: the equation \"{}\" expects inputs of rank {}, received rank {}", equation,
                            specs.input.size(), in_size));
  }
  output.insert(output.begin(), input[0]);
  if (elided > 0 && specs.left_elided) {
    // In order: Keras inserts each at position 1, so that its symbolic shape of "...b,bc->...c" on
    // (None, 3, 4, 5) reads (None, 4, 3, 2) while its einsum computes (None, 3, 4, 2).
    for (int64_t i = 1; i < elided; ++i) output.insert(output.begin() + i, input[static_cast<size_t>(i)]);
  } else if (elided > 0) {
    for (int64_t i = in_size - elided; i < in_size; ++i) output.push_back(input[static_cast<size_t>(i)]);
  }
  const int64_t offset = specs.left_elided ? elided : 0;
  const auto input_at = [&](size_t i) { return input[static_cast<size_t>(static_cast<int64_t>(i) + offset)]; };
  if (static_cast<int64_t>(output.size()) != static_cast<int64_t>(specs.output.size()) + elided) {
    throw Error(fmt::format("EinsumDense: the equation \"{}\" has {} output axes; output_shape gives {}", equation,
                            specs.output.size(), output.size() - 1 - static_cast<size_t>(elided)));
  }
  // Sizes the output shares with the input come from the input (Keras's None), and must agree.
  for (size_t i = 0; i < specs.output.size(); ++i) {
    int64_t& size = output[i + static_cast<size_t>(offset)];
    const size_t at = specs.input.find(specs.output[i]);
    if (at != std::string::npos) {
      const int64_t from_input = input_at(at);
      if (size != -1 && from_input != -1 && size != from_input) {
        throw Error(fmt::format("EinsumDense: input and output_shape differ at the shared axis '{}': {} and {}",
                                specs.output[i], from_input, size));
      }
      if (size == -1) size = from_input;
    } else if (specs.kernel.find(specs.output[i]) == std::string::npos) {
      throw Error(fmt::format("EinsumDense: the output axis '{}' of \"{}\" is in neither the input nor the kernel",
                              specs.output[i], equation));
    }
  }
  Analysis analysis;
  for (char axis : specs.kernel) {
    int64_t size = -1;
    if (const size_t at = specs.output.find(axis); at != std::string::npos) {
      size = output[at + static_cast<size_t>(offset)];
    } else if (const size_t in = specs.input.find(axis); in != std::string::npos) {
      size = input_at(in);
    } else {
      throw Error(fmt::format("EinsumDense: the kernel axis '{}' of \"{}\" is in neither the input nor the output",
                              axis, equation));
    }
    if (size <= 0) {
      throw Error(fmt::format("EinsumDense: the kernel axis '{}' of \"{}\" has no known size; give it in output_shape",
                              axis, equation));
    }
    analysis.kernel.push_back(size);
  }
  if (!bias_axes.empty()) {
    size_t first = specs.output.size();
    for (char axis : bias_axes) {
      const size_t at = specs.output.find(axis);
      if (at == std::string::npos) {
        throw Error(fmt::format("EinsumDense: the bias axis '{}' is not in the output \"{}\"", axis, specs.output));
      }
      first = std::min(first, at);
    }
    for (size_t i = first; i < specs.output.size(); ++i) {
      const bool biased = bias_axes.find(specs.output[i]) != std::string::npos;
      analysis.bias.push_back(biased ? output[i + static_cast<size_t>(offset)] : 1);
    }
    if (!specs.left_elided) analysis.bias.insert(analysis.bias.end(), static_cast<size_t>(elided), 1);
  }
  if (std::ranges::any_of(output.begin() + 1, output.end(), [](int64_t size) { return size <= 0; })) {
    throw Error(fmt::format("EinsumDense: the output shape of \"{}\" is not known: {}", equation, output));
  }
  analysis.output.assign(output.begin() + 1, output.end());
  return analysis;
}

}  // namespace

EinsumDense::EinsumDense(std::string equation, std::vector<int64_t> output_shape, EinsumDenseOptions options)
    : Layer("einsum_dense"),
      equation_(std::move(equation)),
      output_shape_(std::move(output_shape)),
      options_(std::move(options)),
      activation_(activations::get(options_.activation)) {
  parse(equation_);
  for (int64_t size : output_shape_) {
    if (size == 0 || size < -1) {
      throw Error(
          fmt::format("EinsumDense: expected output_shape of positive sizes (or None), received {}", output_shape_));
    }
  }
}

const registry::Registrar<EinsumDense> einsum_dense_registration("EinsumDense");

std::shared_ptr<EinsumDense> EinsumDense::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& shape = read.at("output_shape");
  std::vector<int64_t> output_shape;
  const auto size = [&](const Config& value) {
    if (value.is_null()) return int64_t{-1};
    if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
      throw Error(fmt::format("EinsumDense: expected output_shape of positive sizes or nulls, received {}",
                              shape.dump().substr(0, 120)));
    }
    return value.get<int64_t>();
  };
  if (shape.is_array()) {
    for (const Config& value : shape) output_shape.push_back(size(value));
  } else {
    output_shape.push_back(size(shape));
  }
  return configured(std::make_shared<EinsumDense>(read.string("equation", ""), std::move(output_shape),
                                                  EinsumDenseOptions{.activation = read.string("activation", "linear"),
                                                                     .bias_axes = read.string("bias_axes", "")}),
                    config);
}

Config EinsumDense::get_config() const {
  Config config = Layer::get_config();
  Config shape = Config::array();
  for (int64_t size : output_shape_) shape.push_back(size == -1 ? Config(nullptr) : Config(size));
  config["output_shape"] = std::move(shape);
  config["equation"] = equation_;
  config["activation"] = activation();
  config["bias_axes"] = options_.bias_axes.empty() ? Config(nullptr) : Config(options_.bias_axes);
  return config;
}

Shape EinsumDense::build_weights(const Shape& input_shape) {
  Shape input = input_shape;
  input.insert(input.begin(), -1);
  const Analysis analysis = analyze(equation_, options_.bias_axes, input, output_shape_);
  // Glorot-uniform with Keras's fans (compute_fans): the last two axes, times the others.
  const Shape& shape = analysis.kernel;
  double fan_in = static_cast<double>(shape.front());
  double fan_out = fan_in;
  if (shape.size() >= 2) {
    double receptive = 1.0;
    for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
    fan_in = static_cast<double>(shape[shape.size() - 2]) * receptive;
    fan_out = static_cast<double>(shape.back()) * receptive;
  }
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  const torch::TensorOptions options = initializer_options();
  kernel_ = add_weight("kernel", torch::empty(shape, options).uniform_(-limit, limit));
  if (!analysis.bias.empty()) bias_ = add_weight("bias", torch::zeros(analysis.bias, options));
  return analysis.output;
}

torch::Tensor EinsumDense::call_without_activation(const torch::Tensor& inputs, bool /*training*/) {
  torch::Tensor x = torch::einsum(equation_, {inputs, kernel_});
  return bias_.defined() ? x + bias_ : x;
}

torch::Tensor EinsumDense::call(const torch::Tensor& inputs, bool training) {
  return activation_(call_without_activation(inputs, training));
}

io::onnx::Value EinsumDense::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  io::onnx::Value out = onnx_export::output(*this, inputs, inputs.name);
  const std::string kernel = graph.constant(onnx_export::weight(*this, "kernel"), name() + "/kernel");
  out.name = graph.op("Einsum", {inputs.name, kernel}, {io::onnx::Attribute::of("equation", equation_)}, name());
  if (bias_.defined()) {
    const std::string bias = graph.constant(onnx_export::weight(*this, "bias"), name() + "/bias");
    out.name = graph.op("Add", {out.name, bias}, {}, name());
  }
  return onnx_export::activation(*this, graph, out, activation());
}

}  // namespace tkeras::layers
