// PReLU: Keras's PReLU layer: relu(x) - alpha * relu(-x), with alpha a weight.
#include "tkeras/layers/prelu.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

// Keras's initializer names, any case, without underscores: "zeros", "Zeros" -> "zeros".
std::string prelu_initializer_name(std::string name) {
  std::erase(name, '_');
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

}  // namespace

PReLU::PReLU(PReLUOptions options) : Layer("p_re_lu"), options_(std::move(options)) {
  const std::string initializer = prelu_initializer_name(options_.alpha_initializer);
  if (initializer != "zeros" && initializer != "ones") {
    throw Error(fmt::format("PReLU: expected alpha_initializer \"zeros\" or \"ones\", received \"{}\"",
                            options_.alpha_initializer));
  }
  options_.alpha_initializer = initializer;
}

const registry::Registrar<PReLU> prelu_registration("PReLU");

std::shared_ptr<PReLU> PReLU::from_config(const Config& config) {
  const ConfigReader read(config);
  PReLUOptions options;
  if (read.has("alpha_initializer")) {
    const Config& initializer = read.at("alpha_initializer");
    if (initializer.is_string()) {
      options.alpha_initializer = initializer.get<std::string>();
    } else if (initializer.is_object() && initializer.contains("class_name") && initializer["class_name"].is_string()) {
      options.alpha_initializer = initializer["class_name"].get<std::string>();
    } else {
      throw Error(fmt::format("PReLU: expected alpha_initializer as a name or Keras's initializer object, received {}",
                              initializer.dump()));
    }
  }
  if (read.has("shared_axes")) {
    const Config& axes = read.at("shared_axes");
    if (axes.is_number_integer()) {
      options.shared_axes = {axes.get<int64_t>()};
    } else if (axes.is_array() &&
               std::all_of(axes.begin(), axes.end(), [](const Config& a) { return a.is_number_integer(); })) {
      options.shared_axes = axes.get<std::vector<int64_t>>();
    } else {
      throw Error(fmt::format("PReLU: expected shared_axes as an integer, a list of integers or null, received {}",
                              axes.dump()));
    }
  }
  return configured(std::make_shared<PReLU>(std::move(options)), config);
}

Config PReLU::get_config() const {
  Config config = Layer::get_config();
  config["alpha_initializer"] = {{"module", "keras.initializers"},
                                 {"class_name", options_.alpha_initializer == "ones" ? "Ones" : "Zeros"},
                                 {"config", Config::object()},
                                 {"registered_name", nullptr}};
  config["shared_axes"] = options_.shared_axes.empty() ? Config(nullptr) : Config(options_.shared_axes);
  return config;
}

// As Keras's build: alpha has the input's shape without the batch axis, 1 along each shared axis.
Shape PReLU::build_weights(const Shape& input_shape) {
  const auto rank = static_cast<int64_t>(input_shape.size());
  Shape alpha_shape = input_shape;
  for (const int64_t axis : options_.shared_axes) {
    if (axis < 1 || axis > rank) {
      throw Error(fmt::format("PReLU: expected shared_axes in [1, {}] for inputs {}, received [{}]", rank,
                              format_batch_shape(input_shape), fmt::join(options_.shared_axes, ", ")));
    }
    alpha_shape[axis - 1] = 1;
  }
  const torch::TensorOptions options = initializer_options();
  alpha_ = add_weight("alpha", options_.alpha_initializer == "ones" ? torch::ones(alpha_shape, options)
                                                                    : torch::zeros(alpha_shape, options));
  return input_shape;
}

torch::Tensor PReLU::call(const torch::Tensor& inputs, bool /*training*/) {
  return torch::relu(inputs) - alpha_ * torch::relu(-inputs);
}

// ONNX's PRelu: slope * x below 0, the slope broadcast to the inputs from the right.
io::onnx::Value PReLU::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const std::string slope = graph.constant(onnx_export::weight(*this, "alpha"), name() + "/alpha");
  return onnx_export::output(*this, inputs, graph.op("PRelu", {inputs.name, slope}, {}, name()));
}

}  // namespace tkeras::layers
