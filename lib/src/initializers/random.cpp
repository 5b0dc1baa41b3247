// The random initializers, drawing as Keras's torch backend draws, and their registration.
#include "tkeras/initializers/random.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "initializers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::initializers {
namespace {

// Keras's torch backend, for an integer seed: a CPU generator seeded with its low 32 bits
// (keras/src/backend/torch/random.py, torch_seed_generator). Unseeded: LibTorch's default one.
std::optional<at::Generator> generator_for(const std::optional<int64_t>& seed) {
  if (!seed) return std::nullopt;
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>();
  generator.set_current_seed(static_cast<uint64_t>(*seed) & 0xFFFFFFFFULL);
  return generator;
}

// As Keras's random.normal.
torch::Tensor normal(const Shape& shape, double mean, double stddev, const std::optional<int64_t>& seed) {
  if (!seed) return torch::empty(shape).normal_(mean, stddev);
  return at::normal(mean, stddev, shape, generator_for(seed), torch::TensorOptions().dtype(torch::kFloat));
}

// As Keras's random.uniform: (maxval - minval) * rand + minval.
torch::Tensor uniform(const Shape& shape, double minval, double maxval, const std::optional<int64_t>& seed) {
  if (!seed) return torch::empty(shape).uniform_(minval, maxval);
  const Shape drawn = shape.empty() ? Shape{1} : shape;
  torch::Tensor values = at::rand(drawn, generator_for(seed), torch::TensorOptions().dtype(torch::kFloat));
  values = values * (maxval - minval) + minval;
  return shape.empty() ? values[0] : values;
}

// As Keras's torch random.truncated_normal: four standard normal draws per value, the first
// within two standard deviations kept (the first draw when none is).
torch::Tensor truncated_normal(const Shape& shape, double mean, double stddev, const std::optional<int64_t>& seed) {
  Shape drawn = shape;
  drawn.push_back(4);
  const torch::Tensor x = normal(drawn, 0.0, 1.0, seed);
  const torch::Tensor valid = (x > -2) & (x < 2);
  const torch::Tensor indexes = std::get<1>(valid.max(-1, /*keepdim=*/true));
  return x.gather(-1, indexes).squeeze(-1).mul_(stddev).add_(mean);
}

// Keras's compute_fans.
std::pair<double, double> fans(const Shape& shape, const std::optional<std::vector<int64_t>>& input_axes,
                               const std::optional<std::vector<int64_t>>& output_axes) {
  const auto rank = static_cast<int64_t>(shape.size());
  if (input_axes && output_axes) {
    const auto product = [&](const std::vector<int64_t>& axes) {
      double size = 1.0;
      for (const int64_t axis : axes) {
        const int64_t at = axis < 0 ? axis + rank : axis;
        if (at < 0 || at >= rank) {
          throw Error(fmt::format("VarianceScaling: axis {} is out of range for a weight of shape [{}]", axis,
                                  fmt::join(shape, ", ")));
        }
        size *= static_cast<double>(shape[at]);
      }
      return size;
    };
    return {product(*input_axes), product(*output_axes)};
  }
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
  if (shape.size() == 2) return {static_cast<double>(shape[0]), static_cast<double>(shape[1])};
  double receptive_field = 1.0;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive_field *= static_cast<double>(shape[i]);
  return {static_cast<double>(shape[shape.size() - 2]) * receptive_field,
          static_cast<double>(shape.back()) * receptive_field};
}

Config seed_config(const std::optional<int64_t>& seed) { return seed ? Config(*seed) : Config(nullptr); }

Config axes_config(const std::optional<std::vector<int64_t>>& axes) { return axes ? Config(*axes) : Config(nullptr); }

}  // namespace

Config RandomNormal::get_config() const {
  return {{"seed", seed_config(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

torch::Tensor RandomNormal::generate(const Shape& shape) const {
  return normal(shape, options_.mean, options_.stddev, options_.seed);
}

Config TruncatedNormal::get_config() const {
  return {{"seed", seed_config(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

torch::Tensor TruncatedNormal::generate(const Shape& shape) const {
  return truncated_normal(shape, options_.mean, options_.stddev, options_.seed);
}

Config RandomUniform::get_config() const {
  return {{"seed", seed_config(options_.seed)}, {"minval", options_.minval}, {"maxval", options_.maxval}};
}

torch::Tensor RandomUniform::generate(const Shape& shape) const {
  return uniform(shape, options_.minval, options_.maxval, options_.seed);
}

VarianceScaling::VarianceScaling(VarianceScalingOptions options) : options_(std::move(options)) {
  if (!(options_.scale > 0.0)) {
    throw Error(fmt::format("VarianceScaling: expected a positive scale, received {}", options_.scale));
  }
  if (options_.mode != "fan_in" && options_.mode != "fan_out" && options_.mode != "fan_avg") {
    throw Error(
        fmt::format("VarianceScaling: expected mode fan_in, fan_out or fan_avg, received \"{}\"", options_.mode));
  }
  std::string& distribution = options_.distribution;
  std::transform(distribution.begin(), distribution.end(), distribution.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (distribution == "normal") distribution = "truncated_normal";
  if (distribution != "uniform" && distribution != "truncated_normal" && distribution != "untruncated_normal") {
    throw Error(
        fmt::format("VarianceScaling: expected distribution uniform, truncated_normal, untruncated_normal or normal, "
                    "received \"{}\"",
                    options_.distribution));
  }
  if (options_.input_axes.has_value() != options_.output_axes.has_value()) {
    throw Error("VarianceScaling: expected input_axes and output_axes both or neither");
  }
}

Config VarianceScaling::get_config() const {
  return {{"seed", seed_config(options_.seed)},
          {"scale", options_.scale},
          {"mode", options_.mode},
          {"distribution", options_.distribution},
          {"input_axes", axes_config(options_.input_axes)},
          {"output_axes", axes_config(options_.output_axes)}};
}

torch::Tensor VarianceScaling::generate(const Shape& shape) const {
  double scale = options_.scale;
  const auto [fan_in, fan_out] = fans(shape, options_.input_axes, options_.output_axes);
  if (options_.mode == "fan_in") {
    scale /= std::max(1.0, fan_in);
  } else if (options_.mode == "fan_out") {
    scale /= std::max(1.0, fan_out);
  } else {
    scale /= std::max(1.0, (fan_in + fan_out) / 2.0);
  }
  if (options_.distribution == "truncated_normal") {
    // The standard deviation of a standard normal truncated to (-2, 2), as Keras's constant.
    const double stddev = std::sqrt(scale) / 0.8796256610342398;
    return truncated_normal(shape, 0.0, stddev, options_.seed);
  }
  if (options_.distribution == "untruncated_normal") return normal(shape, 0.0, std::sqrt(scale), options_.seed);
  const double limit = std::sqrt(3.0 * scale);
  return uniform(shape, -limit, limit, options_.seed);
}

NamedScaling::NamedScaling(std::string class_name, double scale, std::string mode, std::string distribution,
                           const ScalingOptions& options)
    : VarianceScaling({.scale = scale,
                       .mode = std::move(mode),
                       .distribution = std::move(distribution),
                       .seed = options.seed,
                       .input_axes = options.input_axes,
                       .output_axes = options.output_axes}),
      class_name_(std::move(class_name)) {}

Config NamedScaling::get_config() const {
  return {{"seed", seed_config(options().seed)},
          {"input_axes", axes_config(options().input_axes)},
          {"output_axes", axes_config(options().output_axes)}};
}

Config Orthogonal::get_config() const { return {{"seed", seed_config(options_.seed)}, {"gain", options_.gain}}; }

// As Keras's: the QR decomposition of a normal [max(rows, cols), min(rows, cols)] matrix, its Q's
// columns signed by R's diagonal, transposed when there are fewer rows than columns.
torch::Tensor Orthogonal::generate(const Shape& shape) const {
  if (shape.size() < 2) {
    throw Error(fmt::format("Orthogonal: expected a weight of at least 2 axes, received shape [{}] of rank {}",
                            fmt::join(shape, ", "), shape.size()));
  }
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  const int64_t columns = shape.back();
  const torch::Tensor a = normal({std::max(rows, columns), std::min(rows, columns)}, 0.0, 1.0, options_.seed);
  auto [q, r] = torch::linalg_qr(a);
  q = q * torch::sign(torch::diag(r));
  if (rows < columns) q = q.t();
  return options_.gain * q.reshape(shape);
}

namespace {

using registry::OptionsReader;

std::optional<std::vector<int64_t>> read_axes(OptionsReader& read, std::string_view key) { return read.axes(key); }

ScalingOptions read_scaling(OptionsReader& read) {
  return {.seed = registry::read_seed(read),
          .input_axes = read_axes(read, "input_axes"),
          .output_axes = read_axes(read, "output_axes")};
}

RandomNormalOptions read_normal(OptionsReader& read) {
  return {.mean = read.number("mean", 0.0), .stddev = read.number("stddev", 0.05), .seed = registry::read_seed(read)};
}

template <typename I>
registry::InitializerClass named(const char* class_name, const char* name) {
  return {.class_name = class_name,
          .name = name,
          .aliases = {},
          .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
            return std::make_shared<I>(read_scaling(read));
          }};
}

const registry::Registrar random_normal_registration(
    {.class_name = "RandomNormal",
     .name = "random_normal",
     .aliases = {"normal"},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       return std::make_shared<RandomNormal>(read_normal(read));
     }});
const registry::Registrar truncated_normal_registration(
    {.class_name = "TruncatedNormal",
     .name = "truncated_normal",
     .aliases = {},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       return std::make_shared<TruncatedNormal>(read_normal(read));
     }});
const registry::Registrar random_uniform_registration(
    {.class_name = "RandomUniform",
     .name = "random_uniform",
     .aliases = {"uniform"},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       return std::make_shared<RandomUniform>(RandomUniformOptions{.minval = read.number("minval", -0.05),
                                                                   .maxval = read.number("maxval", 0.05),
                                                                   .seed = registry::read_seed(read)});
     }});
const registry::Registrar variance_scaling_registration(
    {.class_name = "VarianceScaling",
     .name = "variance_scaling",
     .aliases = {},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       return std::make_shared<VarianceScaling>(
           VarianceScalingOptions{.scale = read.number("scale", 1.0),
                                  .mode = read.string("mode", "fan_in"),
                                  .distribution = read.string("distribution", "truncated_normal"),
                                  .seed = registry::read_seed(read),
                                  .input_axes = read_axes(read, "input_axes"),
                                  .output_axes = read_axes(read, "output_axes")});
     }});
const registry::Registrar glorot_uniform_registration(named<GlorotUniform>("GlorotUniform", "glorot_uniform"));
const registry::Registrar glorot_normal_registration(named<GlorotNormal>("GlorotNormal", "glorot_normal"));
const registry::Registrar he_normal_registration(named<HeNormal>("HeNormal", "he_normal"));
const registry::Registrar he_uniform_registration(named<HeUniform>("HeUniform", "he_uniform"));
const registry::Registrar lecun_normal_registration(named<LecunNormal>("LecunNormal", "lecun_normal"));
const registry::Registrar lecun_uniform_registration(named<LecunUniform>("LecunUniform", "lecun_uniform"));
const registry::Registrar orthogonal_registration(
    {.class_name = "Orthogonal",
     .name = "orthogonal",
     .aliases = {"OrthogonalInitializer"},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       return std::make_shared<Orthogonal>(
           OrthogonalOptions{.gain = read.number("gain", 1.0), .seed = registry::read_seed(read)});
     }});

}  // namespace
}  // namespace tkeras::initializers
