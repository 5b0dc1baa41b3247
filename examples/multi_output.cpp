// A model of two inputs and two outputs, drawn with Keras's Functional API: a Fashion-MNIST image
// and four numbers about it go in; the garment's class and the share of its pixels that are lit
// come out. One loss per output, weighed, with accuracy on the class; then the model is cut at its
// pooled features, as for transfer learning.
//
// Usage: tkeras-multi-output [--epochs N] [--samples N]
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

namespace {

struct Settings {
  int epochs = 5;
  int64_t samples = 10000;
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

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  tk::utils::set_random_seed(42);
  auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
  const int64_t n = std::min<int64_t>(settings.samples, x_train.size(0));
  const torch::Tensor x_img = x_train.narrow(0, 0, n).to(torch::kFloat32).div(255.0).unsqueeze(-1);
  const torch::Tensor y_label = y_train.narrow(0, 0, n);
  // Four numbers about each image (its mean, spread, and the means of its top and bottom halves),
  // and the share of its pixels above half brightness.
  const torch::Tensor pixels = x_img.flatten(1);
  const torch::Tensor x_meta = torch::stack({pixels.mean(1), pixels.std(1), x_img.narrow(1, 0, 14).flatten(1).mean(1),
                                             x_img.narrow(1, 14, 14).flatten(1).mean(1)},
                                            1);
  const torch::Tensor y_size = (pixels > 0.5).to(torch::kFloat32).mean(1, /*keepdim=*/true);

  tk::KerasTensor image = tk::Input({28, 28, 1}, {.name = "image"});
  tk::KerasTensor meta = tk::Input({4}, {.name = "meta"});
  auto x = tk::layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"})(image);
  auto r = tk::layers::Conv2D(32, 3, {.padding = "same"})(x);
  x = tk::layers::Activation("relu")(tk::layers::Add()({x, r}));  // a skip connection
  x = tk::layers::GlobalAveragePooling2D()(x);
  x = tk::layers::Concatenate()({x, tk::layers::Dense(8, "relu")(meta)});
  auto label = tk::layers::Dense(10, "softmax", {.name = "label"})(x);
  auto size = tk::layers::Dense(1, {.name = "size"})(x);
  tk::Model model({image, meta}, {label, size});
  model.compile({.optimizer = "adam",
                 .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                 .loss_weights = {{"label", 1.0}, {"size", 0.5}},
                 .metrics = {{"label", {"accuracy"}}}});
  model.summary();  // Keras's Functional table, with its "Connected to" column
  tk::History h = model.fit({{"image", x_img}, {"meta", x_meta}}, {{"label", y_label}, {"size", y_size}},
                            {.epochs = settings.epochs, .validation_split = 0.1, .verbose = 2});
  // h.history has "loss", "label_loss", "size_loss", "label_accuracy", "val_label_accuracy", ...
  std::vector<std::string> keys;
  for (const auto& [key, values] : h.history) keys.push_back(key);
  fmt::print("history: {}\n", fmt::join(keys, ", "));

  tk::Data predicted =
      model.predict({{"image", x_img.narrow(0, 0, 5)}, {"meta", x_meta.narrow(0, 0, 5)}}, {.verbose = 0});
  const torch::Tensor classes = predicted["label"].argmax(1);
  fmt::print("first image: class {} (true {}), lit share {:.3f} (true {:.3f})\n", classes[0].item<int64_t>(),
             y_label[0].item<int64_t>(), predicted["size"][0][0].item<double>(), y_size[0][0].item<double>());
  // One more epoch through a dataset of the same maps, shuffled, each image's size loss weighed by
  // how lit it is.
  auto train = tk::data::Dataset::from_tensor_slices({{"image", x_img}, {"meta", x_meta}},
                                                     {{"label", y_label}, {"size", y_size}},
                                                     {{"label", torch::ones({n})}, {"size", 1.0 + y_size.squeeze(1)}})
                   .shuffle(1024, {.seed = 1})
                   .batch(32);
  model.fit(train, {.epochs = 1, .verbose = 2});
  tk::Data outputs = model.predict_outputs(train.take(2), {.verbose = 0});  // outputs["label"], outputs["size"]
  fmt::print("predict_outputs on 2 batches: {} labels, {} sizes\n", outputs["label"].size(0), outputs["size"].size(0));

  auto features = tk::Model(model.inputs(), model.get_layer("global_average_pooling2d")->output());
  fmt::print("validation: label accuracy {:.4f}, size loss {:.4f}; features of the cut model: {}\n",
             h.history.at("val_label_accuracy").back(), h.history.at("val_size_loss").back(),
             tk::format_batch_shape(features.output_shape()));
  return 0;
} catch (const std::exception& error) {
  std::cerr << "tkeras-multi-output: " << error.what() << "\n";
  return 1;
}
