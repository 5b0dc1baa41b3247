// What the random augmentation layers share: Keras's affine transform on LibTorch's grid_sample.
#include "layers/augmentation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::augmentation {

Draws::Draws(std::optional<uint64_t> seed) {
  if (seed) generator_ = at::make_generator<at::CPUGeneratorImpl>(*seed);
}

torch::Tensor Draws::uniform(int64_t count, double lower, double upper) {
  const torch::Tensor unit = generator_ ? torch::rand({count}, *generator_) : torch::rand({count});
  return unit * (upper - lower) + lower;
}

torch::Tensor affine_transform(const torch::Tensor& images, const torch::Tensor& matrices,
                               const std::string& interpolation, const std::string& fill_mode, double fill_value) {
  namespace F = torch::nn::functional;
  const int64_t batch = images.size(0);
  const int64_t height = images.size(1);
  const int64_t width = images.size(2);
  const auto options = images.options().dtype(torch::kFloat32);
  const torch::Tensor m = matrices.to(images.device(), torch::kFloat32);
  auto entry = [&](int64_t i) { return m.select(1, i).view({batch, 1, 1}); };
  const torch::Tensor xs = torch::arange(width, options).view({1, 1, width});
  const torch::Tensor ys = torch::arange(height, options).view({1, height, 1});
  const torch::Tensor x_in = entry(0) * xs + entry(1) * ys + entry(2);
  const torch::Tensor y_in = entry(3) * xs + entry(4) * ys + entry(5);
  // grid_sample's coordinates without aligned corners: pixel i's centre is (2i + 1) / size - 1,
  // and the image's edges are -1 and 1, so that its reflection is about the edges (Keras's
  // "reflect", half-sample symmetric).
  const torch::Tensor grid = torch::stack(
      {(2 * x_in + 1) / static_cast<double>(width) - 1, (2 * y_in + 1) / static_cast<double>(height) - 1}, -1);
  torch::Tensor input = images.permute({0, 3, 1, 2}).to(torch::kFloat32);
  // Constant fill: sampling (image - value) with zeros outside, then adding value back, gives each
  // neighbour outside the image the value, as Keras's map_coordinates does.
  const bool constant = fill_mode == "constant";
  if (constant && fill_value != 0.0) input = input - fill_value;
  auto sample = F::GridSampleFuncOptions()
                    .mode(interpolation == "nearest" ? F::GridSampleFuncOptions::mode_t(torch::kNearest)
                                                     : F::GridSampleFuncOptions::mode_t(torch::kBilinear))
                    .padding_mode(fill_mode == "reflect" ? F::GridSampleFuncOptions::padding_mode_t(torch::kReflection)
                                  : fill_mode == "nearest" ? F::GridSampleFuncOptions::padding_mode_t(torch::kBorder)
                                                           : F::GridSampleFuncOptions::padding_mode_t(torch::kZeros))
                    .align_corners(false);
  torch::Tensor output = F::grid_sample(input, grid, sample);
  if (constant && fill_value != 0.0) output = output + fill_value;
  return output.permute({0, 2, 3, 1}).contiguous();
}

void check_modes(std::string_view layer, const std::string& fill_mode, const std::string& interpolation) {
  if (fill_mode != "reflect" && fill_mode != "nearest" && fill_mode != "constant") {
    throw Error(fmt::format("{}: expected fill_mode \"reflect\", \"nearest\" or \"constant\", received \"{}\"{}", layer,
                            fill_mode, fill_mode == "wrap" ? " (Keras's \"wrap\" is not supported by tkeras)" : ""));
  }
  if (interpolation != "bilinear" && interpolation != "nearest") {
    throw Error(
        fmt::format("{}: expected interpolation \"bilinear\" or \"nearest\", received \"{}\"", layer, interpolation));
  }
}

void check_images(std::string_view layer, const Shape& input_shape) {
  if (input_shape.size() != 3) {
    throw Error(fmt::format("{}: expected images of shape (batch, height, width, channels), received input of shape {}",
                            layer, format_batch_shape(input_shape)));
  }
}

void check_factor(std::string_view layer, std::string_view name, const RandomFactor& factor, double low, double high) {
  if (!(factor.lower >= low && factor.upper <= high)) {
    throw Error(fmt::format("{}: expected {} within [{}, {}], received [{}, {}]", layer, name, low, high, factor.lower,
                            factor.upper));
  }
}

Config factor_config(const RandomFactor& factor) { return Config::array({factor.lower, factor.upper}); }

RandomFactor factor_from(const Config& value, std::string_view layer, std::string_view name) {
  if (value.is_number()) return {value.get<double>()};
  if (value.is_array() && value.size() == 2 && value[0].is_number() && value[1].is_number()) {
    return {value[0].get<double>(), value[1].get<double>()};
  }
  throw Error(fmt::format("{}: expected {} as a number or [lower, upper], received {}", layer, name, value.dump()));
}

void check_data_format(const Config& config, std::string_view layer) {
  const auto found = config.find("data_format");
  if (found != config.end() && !found->is_null() && *found != "channels_last") {
    throw Error(
        fmt::format("{}: expected data_format \"channels_last\" (tkeras's images are [height, width, "
                    "channels]), received {}",
                    layer, found->dump()));
  }
}

void check_value_range(std::string_view layer, const std::array<double, 2>& range) {
  if (!(range[0] < range[1])) {
    throw Error(fmt::format("{}: expected value_range as [low, high] with low < high, received [{}, {}]", layer,
                            range[0], range[1]));
  }
}

std::array<double, 2> value_range_from(const Config& config, std::string_view layer) {
  const auto found = config.find("value_range");
  if (found == config.end() || found->is_null()) return {0.0, 255.0};
  if (!found->is_array() || found->size() != 2 || !(*found)[0].is_number() || !(*found)[1].is_number()) {
    throw Error(fmt::format("{}: expected value_range as [low, high], received {}", layer, found->dump()));
  }
  return {(*found)[0].get<double>(), (*found)[1].get<double>()};
}

Config seed_config(std::optional<uint64_t> seed) { return seed ? Config(*seed) : Config(nullptr); }

std::optional<uint64_t> seed_from(const Config& config) {
  const auto found = config.find("seed");
  if (found == config.end() || found->is_null()) return std::nullopt;
  if (!found->is_number_integer() || found->get<int64_t>() < 0) {
    throw Error(fmt::format("expected seed as an integer >= 0 or null, received {}", found->dump()));
  }
  return found->get<uint64_t>();
}

}  // namespace tkeras::layers::augmentation
