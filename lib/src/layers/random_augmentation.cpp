// RandomAugmentation: the seed, the images check, and training-only calls the random layers share.
#include "tkeras/layers/random_augmentation.h"

#include <torch/torch.h>

#include "io/onnx_graph.h"
#include "layers/augmentation.h"

namespace tkeras::layers {

RandomAugmentation::RandomAugmentation(std::string_view base_name, std::optional<uint64_t> seed)
    : Layer(base_name), seed_(seed), draws_(std::make_shared<augmentation::Draws>(seed)) {}

Config RandomAugmentation::get_config() const {
  Config config = Layer::get_config();
  config["seed"] = augmentation::seed_config(seed_);
  return config;
}

torch::Tensor RandomAugmentation::call(const torch::Tensor& inputs, bool training) {
  return training ? augment(inputs) : inputs;
}

io::onnx::Value RandomAugmentation::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& inputs) const {
  return {.name = inputs.name, .shape = output_shape(), .mask = std::nullopt};
}

Shape RandomAugmentation::build_weights(const Shape& input_shape) {
  augmentation::check_images(class_name(), input_shape);
  return input_shape;
}

}  // namespace tkeras::layers
