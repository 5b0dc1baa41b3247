// RandomZoom: Keras's zoom matrix about the centre, sampled by grid_sample.
#include "tkeras/layers/random_zoom.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/augmentation.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

RandomZoom::RandomZoom(RandomFactor height_factor, RandomZoomOptions options)
    : RandomAugmentation("random_zoom", options.seed), height_factor_(height_factor), options_(std::move(options)) {
  // A zoom of 1 + factor must stay positive: zooming in by 100% would show nothing.
  auto check = [](const char* name, const RandomFactor& factor) {
    if (!(factor.lower > -1.0)) {
      throw Error(fmt::format("RandomZoom: expected {} above -1 (zooming in by less than 100%), received [{}, {}]",
                              name, factor.lower, factor.upper));
    }
  };
  check("height_factor", height_factor_);
  if (options_.width_factor) check("width_factor", *options_.width_factor);
  augmentation::check_modes("RandomZoom", options_.fill_mode, options_.interpolation);
}

const registry::Registrar<RandomZoom> random_zoom_registration("RandomZoom");

std::shared_ptr<RandomZoom> RandomZoom::from_config(const Config& config) {
  const ConfigReader read(config);
  augmentation::check_data_format(config, "RandomZoom");
  RandomZoomOptions options;
  if (read.has("width_factor")) {
    options.width_factor = augmentation::factor_from(read.at("width_factor"), "RandomZoom", "width_factor");
  }
  return configured(
      std::make_shared<RandomZoom>(augmentation::factor_from(read.at("height_factor"), "RandomZoom", "height_factor"),
                                   augmentation::read_transform_options(config, options)),
      config);
}

Config RandomZoom::get_config() const {
  Config config = RandomAugmentation::get_config();
  config["height_factor"] = augmentation::factor_config(height_factor_);
  config["width_factor"] =
      options_.width_factor ? augmentation::factor_config(*options_.width_factor) : Config(nullptr);
  augmentation::write_transform_options(config, options_);
  return config;
}

torch::Tensor RandomZoom::augment(const torch::Tensor& inputs) {
  const int64_t batch = inputs.size(0);
  const torch::Tensor zoom_y = draws().uniform(batch, 1.0 + height_factor_.lower, 1.0 + height_factor_.upper);
  const torch::Tensor zoom_x = options_.width_factor ? draws().uniform(batch, 1.0 + options_.width_factor->lower,
                                                                       1.0 + options_.width_factor->upper)
                                                     : zoom_y;
  // Keras's _get_zoom_matrix: a scale about the centre.
  const double half_width = (static_cast<double>(inputs.size(2)) - 1.0) / 2.0;
  const double half_height = (static_cast<double>(inputs.size(1)) - 1.0) / 2.0;
  const torch::Tensor zeros = torch::zeros_like(zoom_x);
  const torch::Tensor matrices =
      torch::stack({zoom_x, zeros, half_width * (1.0 - zoom_x), zeros, zoom_y, half_height * (1.0 - zoom_y)}, 1);
  return augmentation::affine_transform(inputs, matrices, options_.interpolation, options_.fill_mode,
                                        options_.fill_value);
}

}  // namespace tkeras::layers
