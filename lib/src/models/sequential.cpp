// Sequential: building a stack of layers, each from its predecessor's output shape.
#include "tkeras/models/sequential.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras {

Sequential::Sequential() : Model("sequential") {}

Sequential::Sequential(std::initializer_list<layers::AnyLayer> layers) : Sequential() {
  for (const layers::AnyLayer& layer : layers) add(layer);
}

Sequential::Sequential(const std::vector<layers::AnyLayer>& layers) : Sequential() {
  for (const layers::AnyLayer& layer : layers) add(layer);
}

void Sequential::add(layers::AnyLayer layer) {
  const std::shared_ptr<layers::Layer>& added = layer.get();
  if (const auto input = std::dynamic_pointer_cast<layers::Input>(added)) {
    if (!layers_.empty() || declared_input_shape_) {
      throw Error(
          fmt::format("Sequential \"{}\": expected Input as the first layer only, received it after {} layer(s)",
                      name(), layers_.size() + (declared_input_shape_ ? 1 : 0)));
    }
    declared_input_shape_ = input->shape();
    return;
  }
  layers_.push_back(added);
  if (built_) {
    output_shape_ = added->build(output_shape_, device());
  } else if (declared_input_shape_) {
    build(*declared_input_shape_);
  }
}

void Sequential::build(const Shape& input_shape) {
  if (declared_input_shape_ && input_shape != *declared_input_shape_) {
    throw Error(fmt::format("Sequential \"{}\": expected input shape {}, received {}", name(),
                            format_batch_shape(*declared_input_shape_), format_batch_shape(input_shape)));
  }
  if (built_) {
    if (input_shape != input_shape_) {
      throw Error(fmt::format("Sequential \"{}\": built for input shape {}, received {}", name(),
                              format_batch_shape(input_shape_), format_batch_shape(input_shape)));
    }
    return;
  }
  if (layers_.empty()) return;  // Keras builds an empty model lazily too: nothing to create yet.
  Shape shape = input_shape;
  for (const auto& layer : layers_) shape = layer->build(shape, device());
  input_shape_ = input_shape;
  output_shape_ = shape;
  built_ = true;
}

const Shape& Sequential::input_shape() const {
  if (!built_) throw Error(fmt::format("Sequential \"{}\": input_shape is unknown until the model is built", name()));
  return input_shape_;
}

const Shape& Sequential::output_shape() const {
  if (!built_) throw Error(fmt::format("Sequential \"{}\": output_shape is unknown until the model is built", name()));
  return output_shape_;
}

const layers::Layer& Sequential::output_layer() const {
  if (layers_.empty())
    throw Error(fmt::format("Sequential \"{}\": expected at least one layer, received none", name()));
  return *layers_.back();
}

torch::Tensor Sequential::call(const torch::Tensor& inputs, bool training) {
  torch::Tensor x = inputs;
  for (const auto& layer : layers_) x = layer->call(x, training);
  return x;
}

torch::Tensor Sequential::call_without_activation(const torch::Tensor& inputs, bool training) {
  torch::Tensor x = inputs;
  for (size_t i = 0; i + 1 < layers_.size(); ++i) x = layers_[i]->call(x, training);
  return layers_.empty() ? x : layers_.back()->call_without_activation(x, training);
}

std::vector<layers::Weight> Sequential::weights() const {
  std::vector<layers::Weight> all;
  for (const auto& layer : layers_) {
    for (const layers::Weight& weight : layer->weights()) {
      all.push_back({layer->name() + "/" + weight.name, weight.value, weight.trainable});
    }
  }
  return all;
}

void Sequential::move_weights(torch::Device device) {
  for (const auto& layer : layers_) layer->to(device);
}

}  // namespace tkeras
