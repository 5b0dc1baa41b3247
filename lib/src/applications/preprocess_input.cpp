// preprocess_input: Keras's three ImageNet normalisations (imagenet_utils.py's tensor path) and
// which one each keras.applications family uses.
#include "tkeras/applications/preprocess_input.h"

#include <array>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::applications {
namespace {

// "none": the families whose models normalise inside themselves (Keras's placeholder).
enum class PreprocessMode { kCaffe, kTf, kTorch, kNone };

// x + values along the last axis, the values made in x's dtype as Keras's
// ops.convert_to_tensor(..., dtype=x.dtype) makes them.
torch::Tensor add_per_channel_values(const torch::Tensor& x, const std::array<double, 3>& values) {
  return x + torch::tensor({values[0], values[1], values[2]}, torch::kFloat64).to(x.device(), x.scalar_type());
}

torch::Tensor preprocess_images(const torch::Tensor& input, PreprocessMode mode, std::string_view family) {
  if (!input.defined()) {
    throw Error(fmt::format("{}.preprocess_input: expected a tensor of images, received an undefined tensor", family));
  }
  if (input.dim() < 1 || input.size(-1) != 3) {
    throw Error(fmt::format(
        "{}.preprocess_input: expected images whose last axis holds 3 channels (RGB, channels last: [N, H, W, 3] "
        "or [H, W, 3]), received shape {}",
        family, format_shape(input.sizes().vec())));
  }
  if (input.is_complex()) {
    throw Error(fmt::format("{}.preprocess_input: expected real pixels, received a tensor of {}", family,
                            c10::toString(input.scalar_type())));
  }
  if (mode == PreprocessMode::kNone) return input;
  // Keras's NumPy path casts integer pixels to float32 first; floating ones keep their dtype.
  const torch::Tensor x = input.is_floating_point() ? input : input.to(torch::kFloat32);
  switch (mode) {
    case PreprocessMode::kTf:
      return x.div(127.5).sub(1.0);
    case PreprocessMode::kTorch:
      // (x / 255 - mean) / std, as Keras: x / 255, plus the negated mean, divided by the std.
      return add_per_channel_values(x.div(255.0), {-0.485, -0.456, -0.406})
          .div(torch::tensor({0.229, 0.224, 0.225}, torch::kFloat64).to(x.device(), x.scalar_type()));
    default:
      // RGB -> BGR, then the ImageNet mean pixel (in BGR order) subtracted.
      return add_per_channel_values(x.flip({-1}), {-103.939, -116.779, -123.68});
  }
}

}  // namespace

namespace imagenet_utils {
torch::Tensor preprocess_input(const torch::Tensor& x, std::string_view mode) {
  if (mode == "caffe") return preprocess_images(x, PreprocessMode::kCaffe, "imagenet_utils");
  if (mode == "tf") return preprocess_images(x, PreprocessMode::kTf, "imagenet_utils");
  if (mode == "torch") return preprocess_images(x, PreprocessMode::kTorch, "imagenet_utils");
  throw Error(fmt::format(
      "imagenet_utils.preprocess_input: expected mode \"caffe\", \"tf\" or \"torch\", received mode \"{}\"", mode));
}
}  // namespace imagenet_utils

namespace convnext {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kNone, "convnext");
}
}  // namespace convnext

namespace densenet {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTorch, "densenet");
}
}  // namespace densenet

namespace efficientnet {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kNone, "efficientnet");
}
}  // namespace efficientnet

namespace efficientnet_v2 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kNone, "efficientnet_v2");
}
}  // namespace efficientnet_v2

namespace inception_resnet_v2 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTf, "inception_resnet_v2");
}
}  // namespace inception_resnet_v2

namespace inception_v3 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTf, "inception_v3");
}
}  // namespace inception_v3

namespace mobilenet {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTf, "mobilenet");
}
}  // namespace mobilenet

namespace mobilenet_v2 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTf, "mobilenet_v2");
}
}  // namespace mobilenet_v2

namespace mobilenet_v3 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kNone, "mobilenet_v3");
}
}  // namespace mobilenet_v3

namespace nasnet {
torch::Tensor preprocess_input(const torch::Tensor& x) { return preprocess_images(x, PreprocessMode::kTf, "nasnet"); }
}  // namespace nasnet

namespace resnet {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kCaffe, "resnet");
}
}  // namespace resnet

namespace resnet50 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kCaffe, "resnet50");
}
}  // namespace resnet50

namespace resnet_v2 {
torch::Tensor preprocess_input(const torch::Tensor& x) {
  return preprocess_images(x, PreprocessMode::kTf, "resnet_v2");
}
}  // namespace resnet_v2

namespace vgg16 {
torch::Tensor preprocess_input(const torch::Tensor& x) { return preprocess_images(x, PreprocessMode::kCaffe, "vgg16"); }
}  // namespace vgg16

namespace vgg19 {
torch::Tensor preprocess_input(const torch::Tensor& x) { return preprocess_images(x, PreprocessMode::kCaffe, "vgg19"); }
}  // namespace vgg19

namespace xception {
torch::Tensor preprocess_input(const torch::Tensor& x) { return preprocess_images(x, PreprocessMode::kTf, "xception"); }
}  // namespace xception

}  // namespace tkeras::applications
