// tkeras-transfer: the transfer-learning lesson on a backbone Keras saved, as a command-line program.
//
// Point it at a `.keras` backbone (a keras.applications model saved by Keras: MobileNetV2, ResNet50...)
// and at a folder with one subfolder of images per class. As Keras's transfer-learning guide:
//  1. the backbone is cut at a layer (default: its last feature map, before any classifier head),
//     frozen, and called with training=false, so that its BatchNormalization layers normalise with
//     their moving statistics; augmentation, GlobalAveragePooling2D, Dropout and a Dense head go
//     around it, and only the head trains;
//  2. the top layers of the backbone are unfrozen (its BatchNormalization layers stay frozen) and
//     the whole model is fine-tuned with a learning rate ten times lower.
// The validation accuracy is reported after each phase.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;
namespace layers = tk::layers;

namespace {

struct Settings {
  std::string backbone_file;
  std::string directory;
  std::string cut;  // empty: the backbone's last feature map
  int64_t unfreeze = 20;
  int head_epochs = 10;
  int fine_epochs = 5;
  int64_t image_size = 0;  // 0: the backbone's input size
  int64_t batch_size = 32;
  double validation_split = 0.2;
  double learning_rate = 1e-3;
  double dropout = 0.2;
  std::string preprocess = "tf";
  uint64_t seed = 123;
  std::string device = "auto";
  int verbose = 1;
};

// "(None, 7, 7, 1280)", as Keras prints a shape.
std::string keras_shape(const tk::Shape& shape) {
  std::vector<std::string> sizes{"None"};
  for (const int64_t size : shape) sizes.push_back(std::to_string(size));
  return fmt::format("({})", fmt::join(sizes, ", "));
}

// Whether a layer's output is a feature map: (height, width, channels) per sample.
bool feature_map(const layers::Layer& layer) { return layer.output().shape().size() == 3; }

// The layer the backbone is cut at: `name`, or the last layer whose output is a feature map (the
// backbone's output for include_top=False, the layer before the pooling and Dense classifier for
// include_top=True).
std::shared_ptr<layers::Layer> cut_layer(const tk::Model& backbone, const std::string& name) {
  const std::vector<std::shared_ptr<layers::Layer>> all = backbone.layers();
  if (name.empty()) {
    for (auto layer = all.rbegin(); layer != all.rend(); ++layer) {
      if (feature_map(**layer)) return *layer;
    }
    throw tk::Error(
        fmt::format("the backbone \"{}\" has no layer whose output is a feature map (height, width, "
                    "channels); its output is {}",
                    backbone.name(), keras_shape(backbone.output_shapes().front())));
  }
  for (const auto& layer : all) {
    if (layer->name() != name) continue;
    if (!feature_map(*layer)) {
      throw tk::Error(
          fmt::format("--cut {}: expected a layer whose output is a feature map (height, width, "
                      "channels) for GlobalAveragePooling2D, received one of shape {}",
                      name, keras_shape(layer->output().shape())));
    }
    return layer;
  }
  std::vector<std::string> last;
  for (size_t i = all.size() > 5 ? all.size() - 5 : 0; i < all.size(); ++i) last.push_back(all[i]->name());
  throw tk::Error(fmt::format("--cut {}: the backbone \"{}\" has no layer of that name; its {} layers end with {}",
                              name, backbone.name(), all.size(), fmt::join(last, ", ")));
}

// The number of scalars the optimizer updates.
int64_t trainable_count(const layers::Layer& layer) {
  int64_t count = 0;
  for (const torch::Tensor& weight : layer.trainable_weights()) count += weight.numel();
  return count;
}

// A copy of each layer's weights (BatchNormalization's moving statistics included).
std::vector<std::vector<torch::Tensor>> copy_weights(const std::vector<std::shared_ptr<layers::Layer>>& all) {
  std::vector<std::vector<torch::Tensor>> copies;
  for (const auto& layer : all) {
    std::vector<torch::Tensor>& copy = copies.emplace_back();
    for (const layers::Weight& weight : layer->weights()) copy.push_back(weight.value.detach().clone());
  }
  return copies;
}

// The names of the layers whose weights differ from `before`.
std::vector<std::string> changed_layers(const std::vector<std::shared_ptr<layers::Layer>>& all,
                                        const std::vector<std::vector<torch::Tensor>>& before) {
  std::vector<std::string> names;
  for (size_t i = 0; i < all.size(); ++i) {
    const std::vector<layers::Weight> weights = all[i]->weights();
    for (size_t j = 0; j < weights.size(); ++j) {
      if (!torch::equal(weights[j].value.detach(), before[i][j])) {
        names.push_back(all[i]->name());
        break;
      }
    }
  }
  return names;
}

// "none", or the names.
std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

void compile(tk::Model& model, double learning_rate, const std::string& device) {
  model.compile({.optimizer = tk::optimizers::Adam({.learning_rate = learning_rate}),
                 .loss = tk::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"},
                 .device = device});
}

int run(const Settings& settings) {
  tk::utils::set_random_seed(settings.seed);
  if (!std::filesystem::is_regular_file(settings.backbone_file))
    throw tk::Error(fmt::format("--backbone {}: no such file", settings.backbone_file));
  const std::shared_ptr<tk::Model> backbone = tk::models::load_model(settings.backbone_file, {.compile = false});
  if (!backbone->functional() || backbone->inputs().size() != 1) {
    throw tk::Error(
        fmt::format("--backbone {}: expected a Functional model of one image input, as "
                    "keras.applications saves",
                    settings.backbone_file));
  }

  // The base: the backbone from its input to the cut, sharing its layers and weights.
  const std::shared_ptr<layers::Layer> cut = cut_layer(*backbone, settings.cut);
  auto base =
      std::make_shared<tk::Model>(backbone->inputs(), cut->output(), tk::ModelOptions{.name = backbone->name()});
  const std::vector<std::shared_ptr<layers::Layer>> base_layers = base->layers();
  if (settings.unfreeze > static_cast<int64_t>(base_layers.size())) {
    throw tk::Error(fmt::format("--unfreeze {}: the base has {} layers", settings.unfreeze, base_layers.size()));
  }
  const tk::Shape input_shape = backbone->inputs().front().shape();
  const int64_t size = settings.image_size > 0 ? settings.image_size : input_shape.at(0);
  if (input_shape.at(0) != size || input_shape.at(1) != size) {
    throw tk::Error(
        fmt::format("--image-size {}: the backbone takes images of {}x{}", size, input_shape.at(0), input_shape.at(1)));
  }
  const int64_t channels = input_shape.at(2);
  if (channels != 1 && channels != 3) {
    throw tk::Error(
        fmt::format("the backbone takes images of {} channels; expected 1 (grayscale) or 3 (RGB)", channels));
  }
  auto [train, validation] =
      tk::data::image_dataset_from_directory(settings.directory, {.color_mode = channels == 1 ? "grayscale" : "rgb",
                                                                  .batch_size = settings.batch_size,
                                                                  .image_size = {size, size},
                                                                  .seed = settings.seed,
                                                                  .validation_split = settings.validation_split,
                                                                  .subset = "both"});
  const auto classes = static_cast<int64_t>(train.class_names().size());
  if (classes < 2) {
    throw tk::Error(
        fmt::format("{}: expected at least 2 class subfolders of images, found {}", settings.directory, classes));
  }
  fmt::print("backbone: {} ({} layers), cut at {} with output {}\n", backbone->name(), backbone->layers().size(),
             cut->name(), keras_shape(cut->output().shape()));
  fmt::print("classes: {}\n", fmt::join(train.class_names(), ", "));
  // The decoded images of both sets are kept in memory after the first epoch, for both phases.
  const tk::data::Dataset train_data = train.cache().prefetch();
  const tk::data::Dataset validation_data = validation.cache().prefetch();

  // 1. The frozen base under augmentation, the backbone's preprocessing and a new head.
  base->set_trainable(false);
  tk::KerasTensor inputs = tk::Input({size, size, channels});
  tk::KerasTensor x = layers::RandomFlip("horizontal", {.seed = settings.seed})(inputs);
  x = layers::RandomRotation(0.1, {.seed = settings.seed + 1})(x);
  if (settings.preprocess == "tf") x = layers::Rescaling(1.0 / 127.5, -1.0)(x);  // to [-1, 1]
  if (settings.preprocess == "unit") x = layers::Rescaling(1.0 / 255)(x);        // to [0, 1]
  // training=false: the base's BatchNormalization layers stay in inference mode, even once unfrozen.
  x = (*base)(x, {.training = false});
  x = layers::GlobalAveragePooling2D()(x);
  x = layers::Dropout(settings.dropout)(x);
  tk::KerasTensor outputs = layers::Dense(classes)(x);  // logits: the loss applies the softmax
  tk::Model model(inputs, outputs, {.name = "transfer"});
  compile(model, settings.learning_rate, settings.device);
  if (settings.verbose > 0) model.summary();
  fmt::print("1. training the head on the frozen base: {} trainable weights, learning rate {}\n",
             trainable_count(model), settings.learning_rate);
  const auto before_head = copy_weights(base_layers);
  const tk::History head = model.fit(
      train_data, {.epochs = settings.head_epochs, .validation_data = validation_data, .verbose = settings.verbose});
  const double head_accuracy = head.history.at("val_accuracy").back();
  fmt::print("head on the frozen base: validation accuracy {:.4f} after {} epochs\n", head_accuracy, head.epoch.size());
  // Frozen, and run in inference mode: neither its weights nor its moving statistics move.
  fmt::print("layers of the base whose weights changed: {}\n", names_or_none(changed_layers(base_layers, before_head)));
  if (settings.fine_epochs == 0) return 0;

  // 2. The base's top layers unfrozen, its BatchNormalization layers kept frozen, as Keras's guide.
  base->set_trainable(true);
  const size_t first = base_layers.size() - static_cast<size_t>(settings.unfreeze);
  int64_t unfrozen = 0;
  for (size_t i = 0; i < base_layers.size(); ++i) {
    const bool batch_normalization = std::dynamic_pointer_cast<layers::BatchNormalization>(base_layers[i]) != nullptr;
    base_layers[i]->set_trainable(i >= first && !batch_normalization);
    if (i >= first && !batch_normalization && !base_layers[i]->trainable_weights().empty()) ++unfrozen;
  }
  const double fine_rate = settings.learning_rate / 10;
  compile(model, fine_rate, settings.device);  // a new optimizer, at a tenth of the rate
  fmt::print(
      "2. fine-tuning the top {} layers of the base from {} ({} of them with weights, BatchNormalization "
      "frozen): {} trainable weights, learning rate {}\n",
      settings.unfreeze, base_layers[first]->name(), unfrozen, trainable_count(model), fine_rate);
  const auto before_fine = copy_weights(base_layers);
  const tk::History fine = model.fit(
      train_data, {.epochs = settings.fine_epochs, .validation_data = validation_data, .verbose = settings.verbose});
  fmt::print("fine-tuned: validation accuracy {:.4f} after {} more epochs (head only: {:.4f})\n",
             fine.history.at("val_accuracy").back(), fine.epoch.size(), head_accuracy);
  // The unfrozen layers' weights moved; the BatchNormalization layers' did not, nor their statistics.
  fmt::print("layers of the base whose weights changed: {}\n", names_or_none(changed_layers(base_layers, before_fine)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{
      "Transfer learning on a Keras backbone: cuts the .keras model at a layer, freezes it and trains a new head "
      "(augmentation, GlobalAveragePooling2D, Dropout, Dense) on a folder with one subfolder of images per class, "
      "then fine-tunes the backbone's top layers at a tenth of the learning rate."};
  app.add_option("--backbone", settings.backbone_file,
                 "the .keras file of the backbone (a keras.applications model saved by Keras)")
      ->required();
  app.add_option("--images", settings.directory, "folder of class subfolders of JPEG, PNG, BMP or GIF images")
      ->required();
  app.add_option("--cut", settings.cut,
                 "the layer the backbone is cut at (default: its last layer whose output is a feature map, "
                 "before its classifier if it has one)");
  app.add_option("--unfreeze", settings.unfreeze,
                 "layers at the top of the base to fine-tune (BatchNormalization stays frozen)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  app.add_option("--head-epochs", settings.head_epochs, "epochs to train the head on the frozen base")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--fine-epochs", settings.fine_epochs, "epochs to fine-tune (0: no fine-tuning)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--image-size", settings.image_size,
                 "height and width images are resized to (default: the backbone's input size, which it must be)")
      ->check(CLI::Range(int64_t{8}, int64_t{4096}));
  app.add_option("--batch-size", settings.batch_size, "images per step")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  app.add_option("--validation-split", settings.validation_split, "fraction of the images held out to validate")
      ->check(CLI::Range(0.01, 0.9))
      ->capture_default_str();
  app.add_option("--learning-rate", settings.learning_rate, "Adam's learning rate for the head (fine-tuning: a tenth)")
      ->check(CLI::Range(1e-9, 10.0))
      ->capture_default_str();
  app.add_option("--dropout", settings.dropout, "Dropout's rate before the Dense head")
      ->check(CLI::Range(0.0, 0.95))
      ->capture_default_str();
  app.add_option("--preprocess", settings.preprocess,
                 "pixels 0..255 to what the backbone expects: tf (-1..1: MobileNet, Xception, Inception), unit "
                 "(0..1), none (the backbone rescales itself: EfficientNet, ConvNeXt)")
      ->check(CLI::IsMember({"tf", "unit", "none"}))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "seed of the split, the shuffles, the head's weights and the augmentation")
      ->capture_default_str();
  app.add_option("--device", settings.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--verbose", settings.verbose, "0 silent, 1 or 2 one line per epoch (and the model's summary)")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  app.failure_message([](const CLI::App* /*app*/, const CLI::Error& error) {
    return fmt::format("tkeras-transfer: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    return run(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-transfer: error: {}\n", error.what());
    return 1;
  }
}
