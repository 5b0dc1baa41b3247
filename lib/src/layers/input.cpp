// Input: the declared sample shape.
#include "tkeras/layers/input.h"

#include <fmt/format.h>

#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Input::Input(Shape shape) : Layer("input_layer"), shape_(std::move(shape)) {
  if (shape_.empty()) throw Error(fmt::format("Input: expected a shape with at least one axis, received ()"));
  for (int64_t size : shape_) {
    if (size <= 0) {
      throw Error(fmt::format("Input: expected a shape of positive sizes, received {}", format_batch_shape(shape_)));
    }
  }
}

const registry::Registrar<Input> input_registration("InputLayer");

std::shared_ptr<Input> Input::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& batch_shape = read.at("batch_shape");
  if (!batch_shape.is_array() || batch_shape.size() < 2 || !batch_shape[0].is_null()) {
    throw Error(fmt::format("expected \"batch_shape\" as [null, size, ...], received {}", batch_shape.dump()));
  }
  Config sizes = Config::object();
  sizes["shape"] = Config(batch_shape.begin() + 1, batch_shape.end());
  auto input = std::make_shared<Input>(ConfigReader(sizes).shape("shape"));
  (void)element_count(input->shape());  // a shape whose size overflows is refused here
  if (read.has("name")) detail::restore_identity(*input, {{"name", config["name"]}});
  return input;
}

Config Input::get_config() const {
  Config batch_shape = Config::array({nullptr});
  for (int64_t size : shape_) batch_shape.push_back(size);
  return {{"name", name()}, {"batch_shape", batch_shape}};
}

torch::Tensor Input::call(const torch::Tensor& inputs, bool /*training*/) { return inputs; }

Shape Input::build_weights(const Shape& input_shape) {
  if (input_shape != shape_) {
    throw Error(fmt::format("InputLayer \"{}\": expected input shape {}, received {}", name(),
                            format_batch_shape(shape_), format_batch_shape(input_shape)));
  }
  return shape_;
}

}  // namespace tkeras::layers
