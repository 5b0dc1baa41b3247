// Input: the declared sample shape.
#include "tkeras/layers/input.h"

#include <fmt/format.h>

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

torch::Tensor Input::call(const torch::Tensor& inputs, bool /*training*/) { return inputs; }

Shape Input::build_weights(const Shape& input_shape) {
  if (input_shape != shape_) {
    throw Error(fmt::format("InputLayer \"{}\": expected input shape {}, received {}", name(),
                            format_batch_shape(shape_), format_batch_shape(input_shape)));
  }
  return shape_;
}

}  // namespace tkeras::layers
