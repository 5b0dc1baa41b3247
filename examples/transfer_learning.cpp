// Transfer learning, as Keras's guide teaches it: train a small CNN on one task and save it; load
// it, freeze it and train a new head on another task with little data; then unfreeze its top
// layers and fine-tune with a lower learning rate. A model trained from scratch on the same little
// data is the yardstick.
//
// Task A: Fashion-MNIST's classes 0-4 (T-shirt, trouser, pullover, dress, coat), all 30,000 images.
// Task B: classes 5-9 (sandal, shirt, sneaker, bag, ankle boot), a few hundred images.
//
// Usage: tkeras-transfer-learning [--base-epochs N] [--head-epochs N] [--fine-epochs N]
//                                 [--samples N] [--model FILE]
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

namespace {

struct Settings {
  int base_epochs = 3;    // task A
  int head_epochs = 10;   // task B, base frozen
  int fine_epochs = 5;    // task B, top of the base unfrozen
  int64_t samples = 500;  // task B training images
  std::string model_file = "fashion_0to4.tkeras";
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw tk::Error(fmt::format("expected a value after {}", flag));
    const std::string value = argv[++i];
    const auto number = [&] {
      char* end = nullptr;
      const long long parsed = std::strtoll(value.c_str(), &end, 10);
      if (*end != '\0' || parsed <= 0)
        throw tk::Error(fmt::format("expected a positive {}, received \"{}\"", flag, value));
      return parsed;
    };
    if (flag == "--base-epochs")
      settings.base_epochs = static_cast<int>(number());
    else if (flag == "--head-epochs")
      settings.head_epochs = static_cast<int>(number());
    else if (flag == "--fine-epochs")
      settings.fine_epochs = static_cast<int>(number());
    else if (flag == "--samples")
      settings.samples = number();
    else if (flag == "--model")
      settings.model_file = value;
    else
      throw tk::Error(
          fmt::format("unknown option {}; expected --base-epochs, --head-epochs, --fine-epochs, "
                      "--samples or --model",
                      flag));
  }
  return settings;
}

// The small CNN, built and compiled by a function that returns it, as a Keras user's build_model().
tk::Sequential small_cnn() {
  tk::Sequential model({
      tk::layers::Input({28, 28}),
      tk::layers::Reshape({28, 28, 1}),
      tk::layers::Conv2D(16, 3, {.activation = "relu"}),
      tk::layers::MaxPooling2D(2),
      tk::layers::Conv2D(32, 3, {.activation = "relu"}),
      tk::layers::MaxPooling2D(2),
      tk::layers::Flatten(),
      tk::layers::Dense(64, "relu"),
      tk::layers::Dense(5, "softmax"),
  });
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  return model;
}

// The images of classes first..first+4, with labels 0..4, at most `limit` of them.
std::pair<torch::Tensor, torch::Tensor> classes(const torch::Tensor& x, const torch::Tensor& y, int64_t first,
                                                int64_t limit = -1) {
  torch::Tensor rows = torch::nonzero((y >= first) & (y < first + 5)).squeeze(1);
  if (limit > 0 && rows.size(0) > limit) rows = rows.narrow(0, 0, limit);
  return {x.index_select(0, rows), y.index_select(0, rows) - first};
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  tk::utils::set_random_seed(42);
  auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
  x_train = x_train.to(torch::kFloat32) / 255.0;
  x_test = x_test.to(torch::kFloat32) / 255.0;
  const auto [xa, ya] = classes(x_train, y_train, 0);
  const auto [xb, yb] = classes(x_train, y_train, 5, settings.samples);
  const auto [xb_test, yb_test] = classes(x_test, y_test, 5);

  // 1. A small CNN learns task A, and is saved.
  tk::Sequential cnn = small_cnn();
  fmt::print("1. Task A (classes 0-4, {} images): training the CNN\n", xa.size(0));
  cnn.fit(xa, ya, {.epochs = settings.base_epochs, .verbose = 2});
  cnn.save(settings.model_file);

  // 2. Loaded back, its convolutional part (up to Flatten) becomes a frozen base under a new head.
  std::shared_ptr<tk::Model> pretrained = tk::models::load_model(settings.model_file);
  const auto pretrained_layers = pretrained->layers();
  auto base = std::make_shared<tk::Sequential>(
      std::vector<tk::layers::AnyLayer>(pretrained_layers.begin(), pretrained_layers.end() - 2));
  base->set_trainable(false);
  tk::Sequential model(
      {tk::layers::Input({28, 28}), base, tk::layers::Dense(64, "relu"), tk::layers::Dense(5, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  model.summary();
  fmt::print("2. Task B (classes 5-9, {} images): training a new head on the frozen base\n", xb.size(0));
  model.fit(xb, yb, {.epochs = settings.head_epochs, .verbose = 2});
  const double head_accuracy = model.evaluate(xb_test, yb_test, {.verbose = 0}).at("accuracy");

  // 3. The base's top layers (its second convolution and pooling) unfrozen, fine-tuned slowly.
  base->set_trainable(true);
  for (int64_t i = 0; i < 3; ++i) base->get_layer(i)->set_trainable(false);  // Reshape, conv2d, pooling
  model.compile({.optimizer = tk::optimizers::Adam({.learning_rate = 1e-4}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  model.summary();
  fmt::print("3. Fine-tuning the top of the base with a learning rate of 1e-4\n");
  model.fit(xb, yb, {.epochs = settings.fine_epochs, .verbose = 2});
  const double fine_accuracy = model.evaluate(xb_test, yb_test, {.verbose = 0}).at("accuracy");

  // The yardstick: the same CNN trained from scratch on task B's few images, for as many epochs.
  tk::Sequential scratch = small_cnn();
  fmt::print("4. From scratch on task B's {} images, for comparison\n", xb.size(0));
  scratch.fit(xb, yb, {.epochs = settings.head_epochs + settings.fine_epochs, .verbose = 0});
  const double scratch_accuracy = scratch.evaluate(xb_test, yb_test, {.verbose = 0}).at("accuracy");

  fmt::print(
      "task B test accuracy ({} test images): frozen base + new head {:.4f}, fine-tuned {:.4f}, "
      "from scratch {:.4f}\n",
      xb_test.size(0), head_accuracy, fine_accuracy, scratch_accuracy);
  return 0;
} catch (const std::exception& error) {
  std::cerr << "tkeras-transfer-learning: " << error.what() << "\n";
  return 1;
}
