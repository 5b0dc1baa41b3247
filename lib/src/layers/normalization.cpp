// Normalization: Keras's statistics (adapt, streaming over batches) and its normalization.
#include "tkeras/layers/normalization.h"

#include <algorithm>
#include <functional>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

std::optional<std::vector<double>> numbers_from(const Config& config, const char* key) {
  const auto found = config.find(key);
  if (found == config.end() || found->is_null()) return std::nullopt;
  if (found->is_number()) return std::vector<double>{found->get<double>()};
  if (found->is_array()) {
    std::vector<double> values;
    for (const Config& value : *found) {
      if (!value.is_number()) break;
      values.push_back(value.get<double>());
    }
    if (values.size() == found->size()) return values;
  }
  throw Error(
      fmt::format("Normalization: expected {} as a number or a list of numbers, received {}", key, found->dump()));
}

}  // namespace

Normalization::Normalization(NormalizationOptions options) : Layer("normalization"), options_(std::move(options)) {
  if (options_.mean.has_value() != options_.variance.has_value()) {
    throw Error("Normalization: expected both mean and variance, or neither; received only one");
  }
  if (options_.mean && options_.mean->size() != options_.variance->size()) {
    throw Error(fmt::format("Normalization: expected mean and variance of one length, received {} and {}",
                            options_.mean->size(), options_.variance->size()));
  }
}

const registry::Registrar<Normalization> normalization_registration("Normalization");

std::shared_ptr<Normalization> Normalization::from_config(const Config& config) {
  const ConfigReader read(config);
  NormalizationOptions options;
  if (read.has("axis")) {
    const Config& axis = read.at("axis");
    options.axis.clear();
    if (axis.is_number_integer()) {
      options.axis.push_back(axis.get<int64_t>());
    } else if (axis.is_array()) {
      for (const Config& a : axis) {
        if (!a.is_number_integer())
          throw Error(fmt::format("Normalization: expected integer axes, received {}", axis.dump()));
        options.axis.push_back(a.get<int64_t>());
      }
    } else {
      throw Error(fmt::format("Normalization: expected axis as an integer or a list, received {}", axis.dump()));
    }
  } else if (config.contains("axis")) {
    options.axis.clear();  // null: Keras's axis=None
  }
  options.mean = numbers_from(config, "mean");
  options.variance = numbers_from(config, "variance");
  options.invert = read.boolean("invert", false);
  return configured(std::make_shared<Normalization>(std::move(options)), config);
}

Config Normalization::get_config() const {
  Config config = Layer::get_config();
  config["axis"] = options_.axis;
  config["invert"] = options_.invert;
  config["mean"] = options_.mean ? Config(*options_.mean) : Config(nullptr);
  config["variance"] = options_.variance ? Config(*options_.variance) : Config(nullptr);
  return config;
}

std::vector<int64_t> Normalization::keep_axes(const Shape& sample_shape) const {
  const auto rank = static_cast<int64_t>(sample_shape.size()) + 1;
  std::vector<int64_t> kept;
  for (int64_t axis : options_.axis) {
    const int64_t d = axis < 0 ? axis + rank : axis;
    if (d < 0 || d >= rank) {
      throw Error(fmt::format("Normalization: expected axes in [{}, {}) for inputs of shape {}, received axis {}",
                              -rank, rank, format_batch_shape(sample_shape), axis));
    }
    if (d == 0) {
      throw Error("Normalization: cannot keep the batch axis (0): its size is not known; keep feature axes");
    }
    kept.push_back(d - 1);
  }
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  return kept;
}

std::vector<int64_t> Normalization::reduce_dims(int64_t rank) const {
  std::vector<int64_t> dims = {0};
  for (int64_t d = 0; d + 1 < rank; ++d) {
    if (std::find(kept_.begin(), kept_.end(), d) == kept_.end()) dims.push_back(d + 1);
  }
  return dims;
}

Shape Normalization::build_weights(const Shape& input_shape) {
  kept_ = keep_axes(input_shape);
  stats_shape_.clear();
  broadcast_.assign(input_shape.size() + 1, 1);
  for (int64_t d : kept_) {
    stats_shape_.push_back(input_shape[static_cast<size_t>(d)]);
    broadcast_[static_cast<size_t>(d) + 1] = input_shape[static_cast<size_t>(d)];
  }
  const auto options = initializer_options();
  if (options_.mean) {
    // Given statistics: constants, one number broadcast or one per kept position.
    const auto size = static_cast<int64_t>(options_.mean->size());
    const int64_t positions =
        std::accumulate(stats_shape_.begin(), stats_shape_.end(), int64_t{1}, std::multiplies<>());
    if (size != 1 && size != positions) {
      throw Error(fmt::format("Normalization: expected a mean of 1 or {} values for inputs of shape {}, received {}",
                              positions, format_batch_shape(input_shape), size));
    }
    auto constant = [&](const std::vector<double>& values) {
      torch::Tensor t = torch::tensor(values, options.dtype(torch::kFloat32));
      return size == 1 ? t.reshape({}).expand(broadcast_).contiguous() : t.reshape(broadcast_);
    };
    mean_ = constant(*options_.mean);
    variance_ = constant(*options_.variance);
    return input_shape;
  }
  mean_ = add_weight("mean", torch::zeros(stats_shape_, options), /*trainable=*/false);
  variance_ = add_weight("variance", torch::ones(stats_shape_, options), /*trainable=*/false);
  count_ = add_weight("count", torch::zeros({}, options.dtype(torch::kInt32)), /*trainable=*/false);
  return input_shape;
}

void Normalization::assign(const torch::Tensor& mean, const torch::Tensor& variance) {
  const torch::NoGradGuard no_grad;
  mean_.copy_(mean.reshape(stats_shape_));
  variance_.copy_(variance.reshape(stats_shape_));
}

void Normalization::adapt(const torch::Tensor& data) {
  if (options_.mean) throw Error("Normalization: adapt() cannot change a mean and variance given to the layer");
  if (!data.defined() || data.dim() < 1 || data.size(0) == 0) {
    throw Error("Normalization: adapt() expected data of shape [N, ...] with at least one sample");
  }
  const Shape sample(data.sizes().begin() + 1, data.sizes().end());
  if (!built()) build(sample);
  if (sample != input_shape()) {
    throw Error(fmt::format("Normalization: adapt() expected data of shape {}, received {}",
                            format_batch_shape(input_shape()), format_shape(data.sizes().vec())));
  }
  const torch::Tensor x = data.to(torch::kFloat32);
  const std::vector<int64_t> dims = reduce_dims(x.dim());
  assign(x.mean(dims), x.var(dims, /*unbiased=*/false));
}

void Normalization::adapt(const data::Dataset& dataset) {
  if (options_.mean) throw Error("Normalization: adapt() cannot change a mean and variance given to the layer");
  torch::Tensor total_mean, total_var;
  int64_t total_count = 0;
  // Keras's streaming combination of each batch's mean and (biased) variance.
  for (const data::Element& element : dataset) {
    if (!element.x.defined()) {
      throw Error(fmt::format(
          "Normalization: adapt() expected a dataset of x tensors, received an element without x{}; map the "
          "dataset to the one input to adapt on",
          element.inputs.defined() ? " (it carries several inputs)" : ""));
    }
    const torch::Tensor batch = element.x.to(torch::kFloat32);
    if (batch.dim() < 1)
      throw Error("Normalization: adapt() expected batches of shape [batch, ...], received a scalar");
    const Shape sample(batch.sizes().begin() + 1, batch.sizes().end());
    if (!built()) build(sample);
    if (sample != input_shape()) {
      throw Error(fmt::format("Normalization: adapt() expected batches of shape {}, received {}",
                              format_batch_shape(input_shape()), format_shape(batch.sizes().vec())));
    }
    const std::vector<int64_t> dims = reduce_dims(batch.dim());
    int64_t count = 1;
    for (int64_t d : dims) count *= batch.size(d);
    const torch::Tensor mean = batch.mean(dims);
    const torch::Tensor var = batch.var(dims, /*unbiased=*/false);
    if (total_count == 0) {
      total_mean = torch::zeros_like(mean);
      total_var = torch::zeros_like(var);
    }
    total_count += count;
    const double weight = static_cast<double>(count) / static_cast<double>(total_count);
    const torch::Tensor new_mean = total_mean * (1.0 - weight) + mean * weight;
    total_var =
        (total_var + (total_mean - new_mean).square()) * (1.0 - weight) + (var + (mean - new_mean).square()) * weight;
    total_mean = new_mean;
  }
  if (total_count == 0) throw Error("Normalization: adapt() expected a dataset with at least one batch, received none");
  assign(total_mean, total_var);
}

torch::Tensor Normalization::call(const torch::Tensor& inputs, bool /*training*/) {
  // Given statistics are constants, not weights: they follow the inputs' device here.
  const torch::Tensor mean = mean_.reshape(broadcast_).to(inputs.device());
  const torch::Tensor scale = variance_.reshape(broadcast_).to(inputs.device()).sqrt().clamp_min(kEpsilon);
  const torch::Tensor x = inputs.to(torch::kFloat32);
  return options_.invert ? mean + x * scale : (x - mean) / scale;
}

// As the layer computes it: (x - mean) / max(sqrt(variance), 1e-7), or its inverse.
io::onnx::Value Normalization::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  const Config config = get_config();
  torch::Tensor mean = onnx_export::weight(*this, "mean");
  torch::Tensor variance = onnx_export::weight(*this, "variance");
  if (!mean.defined()) {
    mean = torch::tensor(config.at("mean").is_array() ? config["mean"].get<std::vector<double>>()
                                                      : std::vector<double>{config["mean"].get<double>()});
    variance = torch::tensor(config.at("variance").is_array() ? config["variance"].get<std::vector<double>>()
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
  const auto rank = static_cast<int64_t>(inputs.shape.size()) + 1;
  std::vector<int64_t> broadcast(static_cast<size_t>(rank), 1);
  for (int64_t a : axes) {
    const int64_t at = a < 0 ? a + rank : a;
    broadcast[static_cast<size_t>(at)] = inputs.shape[static_cast<size_t>(at - 1)];
  }
  if (mean.numel() == 1) broadcast.assign(1, 1);
  mean = mean.to(torch::kFloat64).reshape(broadcast);
  const torch::Tensor scale = variance.to(torch::kFloat64).reshape(broadcast).sqrt().clamp_min(1e-7);
  const std::string& layer = name();
  io::onnx::Value out = onnx_export::output(*this, inputs, "");
  if (options_.invert) {
    out.name = graph.op("Add",
                        {graph.op("Mul", {inputs.name, graph.constant(scale, layer + "/scale")}, {}, layer),
                         graph.constant(mean, layer + "/mean")},
                        {}, layer);
  } else {
    out.name = graph.op("Div",
                        {graph.op("Sub", {inputs.name, graph.constant(mean, layer + "/mean")}, {}, layer),
                         graph.constant(scale, layer + "/scale")},
                        {}, layer);
  }
  return out;
}

}  // namespace tkeras::layers
