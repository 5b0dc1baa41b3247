// The Layer base: unique names, building once, weights and their device.
#include "tkeras/layers/layer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/unique_name.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Layer::Layer(std::string_view prefix) : name_(unique_name(prefix)) {}

const Shape& Layer::input_shape() const {
  if (!built_)
    throw Error(fmt::format("{} \"{}\": input_shape is unknown until the layer is built", class_name(), name_));
  return input_shape_;
}

const Shape& Layer::output_shape() const {
  if (!built_)
    throw Error(fmt::format("{} \"{}\": output_shape is unknown until the layer is built", class_name(), name_));
  return output_shape_;
}

Shape Layer::build(const Shape& input_shape, torch::Device device) {
  if (built_) {
    if (input_shape != input_shape_) {
      throw Error(fmt::format("{} \"{}\": built for input shape {}, received input shape {}", class_name(), name_,
                              format_batch_shape(input_shape_), format_batch_shape(input_shape)));
    }
    return output_shape_;
  }
  for (int64_t size : input_shape) {
    if (size <= 0) {
      throw Error(fmt::format("{} \"{}\": expected an input shape of positive sizes, received {}", class_name(), name_,
                              format_batch_shape(input_shape)));
    }
  }
  device_ = device;
  output_shape_ = build_weights(input_shape);
  input_shape_ = input_shape;
  built_ = true;
  return output_shape_;
}

std::vector<torch::Tensor> Layer::trainable_weights() const {
  std::vector<torch::Tensor> result;
  for (const Weight& weight : weights_) {
    if (weight.trainable) result.push_back(weight.value);
  }
  return result;
}

int64_t Layer::count_params() const {
  int64_t count = 0;
  for (const Weight& weight : weights_) count += weight.value.numel();
  return count;
}

void Layer::to(torch::Device device) {
  device_ = device;
  const torch::NoGradGuard no_grad;
  for (Weight& weight : weights_) {
    if (weight.value.device() != device) weight.value.set_data(weight.value.to(device));
  }
}

torch::Tensor Layer::add_weight(std::string name, torch::Tensor initial_value, bool trainable) {
  torch::Tensor value = initial_value.to(device_).detach().requires_grad_(trainable);
  weights_.push_back({std::move(name), value, trainable});
  return value;
}

}  // namespace tkeras::layers
