// Tests for preprocess_input: Keras's caffe, tf and torch normalisations, and each family's.
#include "tkeras/applications/preprocess_input.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace apps = tkeras::applications;

namespace {

// Two images of 2x1 pixels, channels last: (R, G, B) = (100, 150, 200) and (0, 255, 30), then
// (255, 0, 128) and (10, 20, 30).
torch::Tensor pixels() {
  return torch::tensor({100., 150., 200., 0., 255., 30., 255., 0., 128., 10., 20., 30.}, torch::kFloat32)
      .reshape({2, 2, 1, 3});
}

// The same pixels, each normalised by `f(value, channel)` with `from` the channel it is read from.
torch::Tensor expected(const std::function<double(double, int64_t)>& f, bool bgr) {
  const torch::Tensor x = pixels().to(torch::kFloat64);
  torch::Tensor out = torch::empty_like(x);
  auto in = x.accessor<double, 4>();
  auto o = out.accessor<double, 4>();
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t h = 0; h < 2; ++h) {
      for (int64_t c = 0; c < 3; ++c) o[n][h][0][c] = f(in[n][h][0][bgr ? 2 - c : c], c);
    }
  }
  return out;
}

torch::Tensor caffe_expected() {
  const double mean[3] = {103.939, 116.779, 123.68};  // B, G, R
  return expected([&](double v, int64_t c) { return v - mean[c]; }, true);
}

torch::Tensor tf_expected() {
  return expected([](double v, int64_t) { return v / 127.5 - 1.0; }, false);
}

torch::Tensor torch_expected() {
  const double mean[3] = {0.485, 0.456, 0.406};
  const double std[3] = {0.229, 0.224, 0.225};
  return expected([&](double v, int64_t c) { return (v / 255.0 - mean[c]) / std[c]; }, false);
}

bool close(const torch::Tensor& ours, const torch::Tensor& theirs) {
  return ours.sizes() == theirs.sizes() &&
         torch::allclose(ours.to(torch::kFloat64), theirs.to(torch::kFloat64), /*rtol=*/1e-6, /*atol=*/1e-5);
}

}  // namespace

TEST_CASE("imagenet_utils.preprocess_input: caffe swaps RGB to BGR and subtracts ImageNet's mean pixel") {
  const torch::Tensor x = pixels();
  const torch::Tensor y = apps::imagenet_utils::preprocess_input(x);  // "caffe" by default, as Keras
  CHECK((y.scalar_type() == torch::kFloat32));
  CHECK(close(y, caffe_expected()));
  // The first pixel by hand: B 200 - 103.939, G 150 - 116.779, R 100 - 123.68.
  CHECK(y[0][0][0][0].item<double>() == doctest::Approx(96.061).epsilon(1e-6));
  CHECK(y[0][0][0][2].item<double>() == doctest::Approx(-23.68).epsilon(1e-6));
  CHECK(close(apps::imagenet_utils::preprocess_input(x, "caffe"), caffe_expected()));
}

TEST_CASE("imagenet_utils.preprocess_input: tf scales to [-1, 1], torch normalises by ImageNet's mean and std") {
  const torch::Tensor x = pixels();
  CHECK(close(apps::imagenet_utils::preprocess_input(x, "tf"), tf_expected()));
  const torch::Tensor t = apps::imagenet_utils::preprocess_input(x, "torch");
  CHECK(close(t, torch_expected()));
  // The second pixel's green, 255: (1 - 0.456) / 0.224.
  CHECK(t[0][1][0][1].item<double>() == doctest::Approx((1.0 - 0.456) / 0.224).epsilon(1e-6));
  // The extremes of tf: 0 -> -1, 255 -> 1.
  const torch::Tensor tf = apps::imagenet_utils::preprocess_input(torch::tensor({0.f, 127.5f, 255.f}), "tf");
  CHECK(torch::equal(tf, torch::tensor({-1.f, 0.f, 1.f})));
}

TEST_CASE("each family uses Keras's mode, or returns its input when its model normalises inside itself") {
  const torch::Tensor x = pixels();
  using Family = std::pair<std::string, torch::Tensor (*)(const torch::Tensor&)>;
  const std::vector<Family> caffe = {{"resnet", apps::resnet::preprocess_input},
                                     {"resnet50", apps::resnet50::preprocess_input},
                                     {"vgg16", apps::vgg16::preprocess_input},
                                     {"vgg19", apps::vgg19::preprocess_input}};
  const std::vector<Family> tf = {{"resnet_v2", apps::resnet_v2::preprocess_input},
                                  {"mobilenet", apps::mobilenet::preprocess_input},
                                  {"mobilenet_v2", apps::mobilenet_v2::preprocess_input},
                                  {"inception_v3", apps::inception_v3::preprocess_input},
                                  {"inception_resnet_v2", apps::inception_resnet_v2::preprocess_input},
                                  {"xception", apps::xception::preprocess_input},
                                  {"nasnet", apps::nasnet::preprocess_input}};
  const std::vector<Family> identity = {{"mobilenet_v3", apps::mobilenet_v3::preprocess_input},
                                        {"efficientnet", apps::efficientnet::preprocess_input},
                                        {"efficientnet_v2", apps::efficientnet_v2::preprocess_input},
                                        {"convnext", apps::convnext::preprocess_input}};
  for (const auto& [name, f] : caffe) {
    CAPTURE(name);
    CHECK(close(f(x), caffe_expected()));
  }
  for (const auto& [name, f] : tf) {
    CAPTURE(name);
    CHECK(close(f(x), tf_expected()));
  }
  CHECK(close(apps::densenet::preprocess_input(x), torch_expected()));
  for (const auto& [name, f] : identity) {
    CAPTURE(name);
    const torch::Tensor y = f(x);
    CHECK(y.is_same(x));  // Keras's placeholder returns x itself
  }
}

TEST_CASE("preprocess_input leaves its input as it was, and takes one image [H, W, 3]") {
  const torch::Tensor x = pixels();
  const torch::Tensor before = x.clone();
  for (const char* mode : {"caffe", "tf", "torch"}) {
    CAPTURE(mode);
    const torch::Tensor y = apps::imagenet_utils::preprocess_input(x, mode);
    CHECK(torch::equal(x, before));
    CHECK(y.data_ptr() != x.data_ptr());
  }
  const torch::Tensor image = apps::resnet50::preprocess_input(x[1]);
  CHECK(image.sizes().vec() == std::vector<int64_t>{2, 1, 3});
  CHECK(close(image, caffe_expected()[1]));
}

TEST_CASE("preprocess_input computes integer pixels in float32 and keeps a floating dtype") {
  const torch::Tensor bytes = pixels().to(torch::kUInt8);
  const torch::Tensor y = apps::vgg16::preprocess_input(bytes);
  CHECK((y.scalar_type() == torch::kFloat32));
  CHECK(close(y, caffe_expected()));
  CHECK((bytes.scalar_type() == torch::kUInt8));
  const torch::Tensor doubles = apps::densenet::preprocess_input(pixels().to(torch::kFloat64));
  CHECK((doubles.scalar_type() == torch::kFloat64));
  CHECK(torch::allclose(doubles, torch_expected(), 1e-12, 1e-12));
}

TEST_CASE("preprocess_input refuses a last axis that is not 3 channels, and an unknown mode") {
  CHECK_THROWS_WITH_AS(apps::resnet50::preprocess_input(torch::zeros({2, 8, 8, 1})),
                       "resnet50.preprocess_input: expected images whose last axis holds 3 channels (RGB, channels "
                       "last: [N, H, W, 3] or [H, W, 3]), received shape [2, 8, 8, 1]",
                       tkeras::Error);
  // Channels first is refused too: tkeras's images are channels last.
  CHECK_THROWS_WITH_AS(apps::mobilenet_v2::preprocess_input(torch::zeros({2, 3, 8, 8})),
                       doctest::Contains("received shape [2, 3, 8, 8]"), tkeras::Error);
  CHECK_THROWS_WITH_AS(apps::efficientnet::preprocess_input(torch::zeros({8, 8, 4})),
                       doctest::Contains("efficientnet.preprocess_input: expected images"), tkeras::Error);
  CHECK_THROWS_WITH_AS(apps::densenet::preprocess_input(torch::zeros({})), doctest::Contains("received shape []"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(apps::imagenet_utils::preprocess_input(pixels(), "keras"),
                       "imagenet_utils.preprocess_input: expected mode \"caffe\", \"tf\" or \"torch\", received mode "
                       "\"keras\"",
                       tkeras::Error);
}
