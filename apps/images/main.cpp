// tkeras-images: the course's lesson on colour images, as a command-line program.
//
// Point it at a folder with one subfolder of images per class (the flowers of the course, or your
// own): it reads them with image_dataset_from_directory, holds out a validation set, and trains
// the course's CNN, with augmentation layers (random flips, rotations and zooms) against
// overfitting unless --no-augment. Compare the curves of both runs (--plot) to see the lesson.
#include <cstdint>
#include <memory>
#include <string>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;
namespace layers = tk::layers;

namespace {

struct Settings {
  std::string directory;
  int64_t image_size = 180;
  int epochs = 15;
  int64_t batch_size = 32;
  double validation_split = 0.2;
  bool augment = true;
  uint64_t seed = 123;
  std::string device = "auto";
  std::string plot_file;
  int verbose = 1;
};

// The course's model: augmentation (in training only), pixels to 0..1, three convolution and
// pooling blocks, dropout, and a dense head with one output per class.
tk::Sequential image_classifier(int64_t size, int64_t classes, bool augment, uint64_t seed, const std::string& device) {
  tk::Sequential model({layers::Input({size, size, 3})});
  if (augment) {
    model.add(layers::RandomFlip("horizontal", {.seed = seed}));
    model.add(layers::RandomRotation(0.1, {.seed = seed + 1}));
    model.add(layers::RandomZoom(0.1, {.seed = seed + 2}));
  }
  model.add(layers::Rescaling(1.0 / 255));
  for (int64_t filters : {16, 32, 64}) {
    model.add(layers::Conv2D(filters, 3, {.padding = "same", .activation = "relu"}));
    model.add(layers::MaxPooling2D());
  }
  if (augment) model.add(layers::Dropout(0.2));
  model.add(layers::Flatten());
  model.add(layers::Dense(128, "relu"));
  model.add(layers::Dense(classes));  // logits: the loss applies the softmax
  model.compile({.optimizer = "adam",
                 .loss = tk::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"},
                 .device = device});
  return model;
}

int run(const Settings& settings) {
  tk::utils::set_random_seed(settings.seed);
  auto [train, validation] = tk::data::image_dataset_from_directory(
      settings.directory, {.batch_size = settings.batch_size,
                           .image_size = {settings.image_size, settings.image_size},
                           .seed = settings.seed,
                           .validation_split = settings.validation_split,
                           .subset = "both"});
  fmt::print("classes: {}\n", fmt::join(train.class_names(), ", "));

  tk::Sequential model = image_classifier(settings.image_size, static_cast<int64_t>(train.class_names().size()),
                                          settings.augment, settings.seed, settings.device);
  model.summary();
  // The decoded images of both sets are kept in memory after the first epoch, and batches are
  // prepared while the model trains.
  const tk::History history = model.fit(
      train.cache().prefetch(),
      {.epochs = settings.epochs, .validation_data = validation.cache().prefetch(), .verbose = settings.verbose});
  if (!settings.plot_file.empty()) {
    // Where the validation curve leaves the training curve, the model starts to overfit.
    tk::plot_history(history, settings.plot_file, {.metrics = {"loss", "accuracy"}});
    fmt::print("wrote the training curves to {}\n", settings.plot_file);
  }
  fmt::print("{} augmentation: accuracy {:.4f}, validation accuracy {:.4f} after {} epochs\n",
             settings.augment ? "with" : "without", history.history.at("accuracy").back(),
             history.history.at("val_accuracy").back(), history.epoch.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{
      "Trains the course's image classifier (augmentation, Rescaling, 3 x Conv2D + MaxPooling2D, Dense) "
      "on a folder with one subfolder of images per class."};
  app.add_option("directory", settings.directory, "folder of class subfolders of JPEG, PNG, BMP or GIF images")
      ->required();
  app.add_option("--image-size", settings.image_size, "height and width images are resized to")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  app.add_option("--epochs", settings.epochs, "epochs to train")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "images per step")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--validation-split", settings.validation_split, "fraction of the images held out to validate")
      ->check(CLI::Range(0.01, 0.9))
      ->capture_default_str();
  app.add_flag("!--no-augment", settings.augment, "train without the augmentation layers (and without Dropout)");
  app.add_option("--seed", settings.seed, "seed of the split, the shuffles, the weights and the augmentation")
      ->capture_default_str();
  app.add_option("--device", settings.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--plot", settings.plot_file, "write the loss and accuracy curves to this SVG file");
  app.add_option("--verbose", settings.verbose, "0 silent, 1 or 2 one line per epoch")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  app.failure_message([](const CLI::App* /*app*/, const CLI::Error& error) {
    return fmt::format("tkeras-images: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    return run(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-images: error: {}\n", error.what());
    return 1;
  }
}
