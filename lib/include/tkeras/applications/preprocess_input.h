// preprocess_input: pixels as each of Keras's pretrained image families (keras.applications)
// expects them, one namespace per Keras module, as `keras.applications.resnet50.preprocess_input`.
#pragma once

#include <string_view>

#include <torch/types.h>

/// Keras's `keras.applications` modules: each family's `preprocess_input`, by the module's name.
///
/// Every function takes images of pixels 0..255, channels last and RGB: one image `[H, W, 3]`, a
/// batch `[N, H, W, 3]`, or any tensor whose last axis holds the 3 channels. Those that
/// normalise return a new tensor and never write over `x` (Keras's torch backend divides a tensor
/// in place in the `"tf"` and `"torch"` modes); those of the families whose models normalise
/// inside themselves return `x` itself, as Keras's. A floating `x` keeps its dtype; an integer one
/// (uint8 pixels, as `tkeras::data::decode_image` gives them) is normalised in float32, as Keras
/// does for NumPy arrays. Each throws `tkeras::Error` when the last axis is not 3 channels.
///
/// Example:
/// ```
/// torch::Tensor pixels = tkeras::data::decode_image("cat.jpg", 3).unsqueeze(0);  // uint8 [1, H, W, 3]
/// torch::Tensor x = tkeras::applications::resnet50::preprocess_input(pixels);  // float32, BGR, centred
/// ```
namespace tkeras::applications {

/// Keras's `keras.applications.imagenet_utils`: the three ImageNet normalisations the families
/// share.
namespace imagenet_utils {

/// The ImageNet normalisation of `mode`, as Keras's `imagenet_utils.preprocess_input(x,
/// mode=...)` on channels-last images:
/// - `"caffe"` (Default): RGB to BGR, then the ImageNet mean of each channel subtracted (B 103.939,
///   G 116.779, R 123.68), without scaling;
/// - `"tf"`: `x / 127.5 - 1`, pixels in [-1, 1];
/// - `"torch"`: `x / 255`, then each channel less its mean (0.485, 0.456, 0.406) and divided by
///   its standard deviation (0.229, 0.224, 0.225).
///
/// Throws `tkeras::Error` for another `mode`, or a last axis that is not 3 channels.
torch::Tensor preprocess_input(const torch::Tensor& x, std::string_view mode = "caffe");

}  // namespace imagenet_utils

/// ConvNeXt (ConvNeXtTiny ... ConvNeXtXLarge).
namespace convnext {
/// Returns `x` itself: Keras's ConvNeXt models normalise their input inside the model (its
/// `preprocess_input` is a placeholder). Throws `tkeras::Error` when the last axis is not 3
/// channels.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace convnext

/// DenseNet121, DenseNet169, DenseNet201.
namespace densenet {
/// The `"torch"` mode: `x / 255`, then ImageNet's mean and standard deviation per channel.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace densenet

/// EfficientNetB0 ... EfficientNetB7.
namespace efficientnet {
/// Returns `x` itself: Keras's EfficientNet models rescale and normalise inside the model. Throws
/// `tkeras::Error` when the last axis is not 3 channels.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace efficientnet

/// EfficientNetV2B0 ... EfficientNetV2L.
namespace efficientnet_v2 {
/// Returns `x` itself: Keras's EfficientNetV2 models rescale inside the model. Throws
/// `tkeras::Error` when the last axis is not 3 channels.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace efficientnet_v2

/// InceptionResNetV2.
namespace inception_resnet_v2 {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace inception_resnet_v2

/// InceptionV3.
namespace inception_v3 {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace inception_v3

/// MobileNet.
namespace mobilenet {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace mobilenet

/// MobileNetV2.
namespace mobilenet_v2 {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace mobilenet_v2

/// MobileNetV3Small, MobileNetV3Large.
namespace mobilenet_v3 {
/// Returns `x` itself: Keras's MobileNetV3 models rescale inside the model (its
/// `include_preprocessing=True`). Throws `tkeras::Error` when the last axis is not 3 channels.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace mobilenet_v3

/// NASNetMobile, NASNetLarge.
namespace nasnet {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace nasnet

/// ResNet50, ResNet101, ResNet152.
namespace resnet {
/// The `"caffe"` mode: RGB to BGR, then ImageNet's mean pixel subtracted.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace resnet

/// ResNet50 (Keras's `keras.applications.resnet50`, the same as `resnet`).
namespace resnet50 {
/// The `"caffe"` mode: RGB to BGR, then ImageNet's mean pixel subtracted.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace resnet50

/// ResNet50V2, ResNet101V2, ResNet152V2.
namespace resnet_v2 {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace resnet_v2

/// VGG16.
namespace vgg16 {
/// The `"caffe"` mode: RGB to BGR, then ImageNet's mean pixel subtracted.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace vgg16

/// VGG19.
namespace vgg19 {
/// The `"caffe"` mode: RGB to BGR, then ImageNet's mean pixel subtracted.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace vgg19

/// Xception.
namespace xception {
/// The `"tf"` mode: `x / 127.5 - 1`.
torch::Tensor preprocess_input(const torch::Tensor& x);
}  // namespace xception

}  // namespace tkeras::applications
