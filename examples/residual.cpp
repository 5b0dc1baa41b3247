// A small residual network, drawn with Keras's Functional API, beside the course's Sequential CNN,
// on Fashion-MNIST: the same data, optimizer and epochs, and each one's test accuracy.
//
// Usage: tkeras-residual [--epochs N] [--samples N]
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

namespace {

struct Settings {
  int epochs = 3;
  int64_t samples = 0;  // 0: all 60,000 training images
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw tk::Error(fmt::format("expected a value after {}", flag));
    char* end = nullptr;
    const long long value = std::strtoll(argv[++i], &end, 10);
    if (*end != '\0' || value <= 0)
      throw tk::Error(fmt::format("expected a positive {}, received \"{}\"", flag, argv[i]));
    if (flag == "--epochs") {
      settings.epochs = static_cast<int>(value);
    } else if (flag == "--samples") {
      settings.samples = value;
    } else {
      throw tk::Error(fmt::format("unknown option {}; expected --epochs or --samples", flag));
    }
  }
  return settings;
}

// A residual block: two 3x3 convolutions whose output is added to the block's input.
tk::KerasTensor residual_block(const tk::KerasTensor& inputs, int64_t filters) {
  tk::KerasTensor x = tk::layers::Conv2D(filters, 3, {.padding = "same", .activation = "relu"})(inputs);
  x = tk::layers::Conv2D(filters, 3, {.padding = "same", .use_bias = false})(x);  // BatchNormalization centres it
  x = tk::layers::BatchNormalization()(x);
  return tk::layers::Activation("relu")(tk::layers::Add()({inputs, x}));  // the skip connection
}

tk::Model residual_network() {
  tk::KerasTensor inputs = tk::Input({28, 28}, {.name = "image"});
  tk::KerasTensor x = tk::layers::Reshape({28, 28, 1})(inputs);
  x = tk::layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"})(x);
  x = residual_block(x, 32);
  x = tk::layers::MaxPooling2D(2)(x);
  x = residual_block(x, 32);
  x = tk::layers::GlobalAveragePooling2D()(x);
  tk::KerasTensor outputs = tk::layers::Dense(10, "softmax", {.name = "label"})(x);
  return tk::Model(inputs, outputs, {.name = "residual"});
}

// The course's CNN.
tk::Sequential course_cnn() {
  return tk::Sequential({tk::layers::Input({28, 28}), tk::layers::Reshape({28, 28, 1}),
                         tk::layers::Conv2D(64, 3, {.activation = "relu"}), tk::layers::MaxPooling2D(2),
                         tk::layers::Conv2D(64, 3, {.activation = "relu"}), tk::layers::MaxPooling2D(2),
                         tk::layers::Flatten(), tk::layers::Dense(128, "relu"), tk::layers::Dense(10, "softmax")});
}

double train(tk::Model& model, const Settings& settings, const torch::Tensor& x, const torch::Tensor& y,
             const torch::Tensor& x_test, const torch::Tensor& y_test) {
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  model.fit(x, y, {.epochs = settings.epochs, .verbose = 2});
  return model.evaluate(x_test, y_test, {.verbose = 0}).at("accuracy");
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  tk::utils::set_random_seed(42);
  auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
  x_train = x_train.to(torch::kFloat32) / 255.0;
  x_test = x_test.to(torch::kFloat32) / 255.0;
  if (settings.samples > 0) {
    x_train = x_train.narrow(0, 0, std::min<int64_t>(settings.samples, x_train.size(0)));
    y_train = y_train.narrow(0, 0, x_train.size(0));
  }

  tk::Model residual = residual_network();
  residual.summary();
  const double residual_accuracy = train(residual, settings, x_train, y_train, x_test, y_test);
  tk::Sequential cnn = course_cnn();
  const double cnn_accuracy = train(cnn, settings, x_train, y_train, x_test, y_test);
  fmt::print(
      "test accuracy after {} epoch(s) on {} images: residual network {:.4f} ({} parameters), course's CNN "
      "{:.4f} ({} parameters)\n",
      settings.epochs, x_train.size(0), residual_accuracy, residual.count_params(), cnn_accuracy, cnn.count_params());
  return 0;
} catch (const std::exception& error) {
  std::cerr << "tkeras-residual: " << error.what() << "\n";
  return 1;
}
