// Dropout: active only while training.
#include "tkeras/layers/dropout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Dropout::Dropout(double rate, DropoutOptions options) : Layer("dropout"), rate_(rate), options_(std::move(options)) {
  if (!(rate >= 0.0 && rate < 1.0)) throw Error(fmt::format("Dropout: expected a rate in [0, 1), received {}", rate));
  for (int64_t size : options_.noise_shape) {
    if (size == 0 || size < -1) {
      throw Error(
          fmt::format("Dropout: expected noise_shape of positive sizes or None, received {}", options_.noise_shape));
    }
  }
}

const registry::Registrar<Dropout> dropout_registration("Dropout");

std::shared_ptr<Dropout> Dropout::from_config(const Config& config) {
  const ConfigReader read(config);
  DropoutOptions options;
  if (read.has("noise_shape")) {
    const Config& shape = read.at("noise_shape");
    if (!shape.is_array()) {
      throw Error(fmt::format("Dropout: expected noise_shape as a list, received {}", shape.dump().substr(0, 120)));
    }
    for (const Config& size : shape) {
      if (!size.is_null() && !size.is_number_integer()) {
        throw Error(
            fmt::format("Dropout: expected noise_shape of sizes or nulls, received {}", shape.dump().substr(0, 120)));
      }
      options.noise_shape.push_back(size.is_null() ? -1 : size.get<int64_t>());
    }
  }
  return configured(std::make_shared<Dropout>(read.number("rate"), std::move(options)), config);
}

Config Dropout::get_config() const {
  Config config = Layer::get_config();
  config["rate"] = rate_;
  if (options_.noise_shape.empty()) {
    config["noise_shape"] = nullptr;
  } else {
    Config shape = Config::array();
    for (int64_t size : options_.noise_shape) shape.push_back(size == -1 ? Config(nullptr) : Config(size));
    config["noise_shape"] = std::move(shape);
  }
  return config;
}

Shape Dropout::build_weights(const Shape& input_shape) {
  if (!options_.noise_shape.empty() && options_.noise_shape.size() != input_shape.size() + 1) {
    throw Error(fmt::format("Dropout \"{}\": expected noise_shape of rank {} (with the batch axis), received {}",
                            name(), input_shape.size() + 1, options_.noise_shape));
  }
  return input_shape;
}

torch::Tensor Dropout::call(const torch::Tensor& inputs, bool training) {
  if (!training || rate_ == 0.0) return inputs;
  if (options_.noise_shape.empty()) return torch::dropout(inputs, rate_, /*train=*/true);
  // One draw per cell of noise_shape, broadcast over the axes of size 1, as Keras's dropout.
  std::vector<int64_t> shape;
  for (size_t i = 0; i < options_.noise_shape.size(); ++i) {
    shape.push_back(options_.noise_shape[i] == -1 ? inputs.size(static_cast<int64_t>(i)) : options_.noise_shape[i]);
  }
  const torch::Tensor keep = torch::empty(shape, inputs.options()).bernoulli_(1.0 - rate_);
  return inputs * keep / (1.0 - rate_);
}

// At inference, the identity.
io::onnx::Value Dropout::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return onnx_export::output(*this, inputs, inputs.name);
}

}  // namespace tkeras::layers
