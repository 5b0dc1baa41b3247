// tkeras-mnist: the course's digit classifier as a command-line program.
//
// Normalise the pixels, keep a test set, flatten each 28x28 image, let the first layer take the
// data's shape, end in one unit per class, and stop once the accuracy is good enough.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;

namespace {

// The course's callback lesson: stop training once the model is good enough.
class StopAtAccuracy : public tk::callbacks::Callback {
 public:
  explicit StopAtAccuracy(double target) : target_(target) {}
  void on_epoch_end(int /*epoch*/, const tk::Logs& logs) override {
    if (target_ > 0 && logs.at("accuracy") >= target_) {
      fmt::print("Reached {:.0f}% accuracy, so cancelling training.\n", target_ * 100);
      model().stop_training = true;
    }
  }

 private:
  double target_;
};

// Times each epoch, for the closing line (training time is what more neurons and layers cost).
class EpochTimer : public tk::callbacks::Callback {
 public:
  void on_train_begin(const tk::Logs& /*logs*/) override { seconds_ = 0, epochs_ = 0; }
  void on_epoch_begin(int /*epoch*/, const tk::Logs& /*logs*/) override { start_ = Clock::now(); }
  void on_epoch_end(int /*epoch*/, const tk::Logs& /*logs*/) override {
    seconds_ += std::chrono::duration<double>(Clock::now() - start_).count();
    ++epochs_;
  }
  double mean_seconds() const { return epochs_ == 0 ? 0.0 : seconds_ / epochs_; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  double seconds_ = 0;
  int epochs_ = 0;
};

struct Settings {
  std::string dataset = "mnist";
  std::string model = "dense";
  std::string data_dir;
  int epochs = 20;
  int64_t batch_size = 32;
  int64_t units = 128;
  int extra_layers = 0;
  double target_accuracy = 0.99;
  double validation_split = 0.1;
  std::string device = "auto";
  bool jit = false;
  std::string precision = "float32";
  uint64_t seed = 42;
  int verbose = 1;
  std::string plot_file;
  std::string csv_file;
  std::string save_file;
  std::string load_file;
  std::string export_file;
  std::string backup_dir;
  bool distribute = false;
};

// --export: the model as ONNX, for onnxruntime and the other ONNX runtimes.
void export_model(const tk::Model& model, const std::string& path) {
  if (path.empty()) return;
  tk::export_onnx(model, path);
  fmt::print("exported the model to {} (ONNX: input \"inputs\", the images as pixels 0..1)\n", path);
}

int run(const Settings& settings) {
  const bool digits = settings.dataset == "mnist";
  const std::filesystem::path dir = !settings.data_dir.empty() ? std::filesystem::path(settings.data_dir)
                                                               : (digits ? tk::datasets::mnist::default_dir()
                                                                         : tk::datasets::fashion_mnist::default_dir());
  if (!tk::datasets::has_idx_dataset(dir)) {
    fmt::print(stderr, "tkeras-mnist: no {} data in {} (looked for train/t10k images and labels, .gz or plain); {}\n",
               settings.dataset, dir.string(),
               digits ? "run `make data` in the tkeras checkout to fetch the digits, or pass --data DIR"
                      : "install Debian's dataset-fashion-mnist package, or pass --data DIR");
    return 2;
  }

  // Started by torchrun, mpirun or srun with --distribute, every process trains; rank 0 speaks for
  // them (the others' lines would repeat its own).
  if (settings.distribute && !tk::distribute::is_chief() && std::freopen("/dev/null", "w", stdout) == nullptr) {
    fmt::print(stderr, "tkeras-mnist: cannot silence rank {}'s output\n", tk::distribute::rank());
  }
  tk::utils::set_random_seed(settings.seed);
  auto [x_train, y_train, x_test, y_test] = tk::datasets::load_idx_dataset(dir, settings.dataset);
  x_train = x_train.to(torch::kFloat32) / 255.0;  // normalise pixels 0..255 to 0..1
  x_test = x_test.to(torch::kFloat32) / 255.0;
  fmt::print("{}: {} training and {} test images of {}x{}\n", settings.dataset, x_train.size(0), x_test.size(0),
             x_train.size(1), x_train.size(2));

  if (!settings.load_file.empty()) {
    // A model saved by an earlier run (--save): no architecture in code, no training.
    const std::shared_ptr<tk::Model> loaded = tk::models::load_model(settings.load_file, {.device = settings.device});
    const tk::Logs scores = loaded->evaluate(x_test, y_test, {.verbose = 0});
    fmt::print("test accuracy {:.4f}, test loss {:.4f}, model loaded from {} ({} parameters)\n", scores.at("accuracy"),
               scores.at("loss"), settings.load_file, loaded->count_params());
    export_model(*loaded, settings.export_file);
    return 0;
  }

  tk::Sequential model;
  model.add(tk::layers::Input({x_train.size(1), x_train.size(2)}));  // the first layer takes the data's shape
  if (settings.model == "cnn") {
    // The course's convolutional network: two 3x3 convolutions, each followed by 2x2 max pooling.
    model.add(tk::layers::Reshape({x_train.size(1), x_train.size(2), 1}));  // one channel
    model.add(tk::layers::Conv2D(64, 3, {.activation = "relu"}));
    model.add(tk::layers::MaxPooling2D(2));
    model.add(tk::layers::Conv2D(64, 3, {.activation = "relu"}));
    model.add(tk::layers::MaxPooling2D(2));
  }
  model.add(tk::layers::Flatten());  // each image (or feature map) as one vector
  for (int i = 0; i <= settings.extra_layers; ++i) model.add(tk::layers::Dense(settings.units, "relu"));
  model.add(tk::layers::Dense(10, "softmax"));  // one unit per class
  model.compile({.optimizer = "adam",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = settings.device,
                 .jit = settings.jit,
                 .precision = settings.precision,
                 .distribute = settings.distribute ? std::optional(tk::distribute::DataParallel{}) : std::nullopt});
  model.summary();

  auto timer = std::make_shared<EpochTimer>();
  std::vector<std::shared_ptr<tk::callbacks::Callback>> callbacks = {
      std::make_shared<StopAtAccuracy>(settings.target_accuracy), timer};
  if (!settings.csv_file.empty()) callbacks.push_back(std::make_shared<tk::callbacks::CSVLogger>(settings.csv_file));
  if (!settings.backup_dir.empty()) {
    // Killed mid-run? Run the same command again: training resumes after the last finished epoch.
    callbacks.push_back(std::make_shared<tk::callbacks::BackupAndRestore>(
        tk::callbacks::BackupAndRestoreOptions{.backup_dir = settings.backup_dir}));
  }
  tk::History history = model.fit(x_train, y_train,
                                  {.epochs = settings.epochs,
                                   .batch_size = settings.batch_size,
                                   .validation_split = settings.validation_split,
                                   .verbose = settings.verbose,
                                   .callbacks = callbacks});
  if (!settings.plot_file.empty()) {
    // Training and validation curves: where they part, the model starts to overfit.
    tk::plot_history(history, settings.plot_file, {.metrics = {"loss", "accuracy"}});
    fmt::print("wrote the training curves to {}\n", settings.plot_file);
  }
  if (!settings.save_file.empty() && tk::distribute::is_chief()) {
    model.save(settings.save_file);  // architecture, weights, compile settings, optimizer state
    fmt::print("saved the model to {}\n", settings.save_file);
  }
  if (tk::distribute::is_chief()) export_model(model, settings.export_file);
  const tk::Logs scores = model.evaluate(x_test, y_test, {.verbose = 0});
  fmt::print("test accuracy {:.4f}, test loss {:.4f}, epochs run {}, {:.2f} s per epoch on {}{}\n",
             scores.at("accuracy"), scores.at("loss"), history.epoch.size(), timer->mean_seconds(),
             model.device().str(),
             tk::distribute::world_size() > 1 ? fmt::format(" x {} processes", tk::distribute::world_size()) : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Trains the course's classifier (Flatten, Dense relu, Dense softmax) on MNIST digits or Fashion-MNIST."};
  app.add_option("--dataset", settings.dataset, "mnist or fashion_mnist")
      ->check(CLI::IsMember({"mnist", "fashion_mnist"}))
      ->capture_default_str();
  app.add_option("--model", settings.model, "dense (Flatten, Dense) or cnn (two Conv2D + MaxPooling2D first)")
      ->check(CLI::IsMember({"dense", "cnn"}))
      ->capture_default_str();
  app.add_option("--data", settings.data_dir, "directory of the four IDX files (default: the dataset's usual place)");
  app.add_option("--epochs", settings.epochs, "epochs to train at most")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "samples per step")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--units", settings.units, "neurons per hidden layer")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--layers", settings.extra_layers, "extra hidden layers")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--target-accuracy", settings.target_accuracy, "stop once training accuracy reaches this (0: never)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--validation-split", settings.validation_split,
                 "fraction of training data held out to watch overfitting")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--device", settings.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_flag(
      "--distribute", settings.distribute,
      "train on every process that torchrun, mpirun or srun started (DataParallel; --batch-size is the global batch)");
  app.add_flag("--jit", settings.jit, "compile with jit: on CUDA, each train step replays one captured CUDA graph");
  app.add_option("--precision", settings.precision, "float32 or bf16-mixed (bfloat16 products, float32 weights)")
      ->check(CLI::IsMember({"float32", "bf16-mixed"}))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "random seed for weights and shuffling")->capture_default_str();
  app.add_option("--plot", settings.plot_file, "write the loss and accuracy curves to this SVG file");
  app.add_option("--csv", settings.csv_file, "write one row of logs per epoch to this CSV file");
  app.add_option("--save", settings.save_file,
                 "save the trained model (architecture, weights, optimizer) to this file: FILE.tkeras, or FILE.keras "
                 "(Keras 3's format, which Python Keras opens)");
  app.add_option("--load", settings.load_file,
                 "evaluate a model saved with --save (or a .keras file Keras saved) instead of training one");
  app.add_option("--export", settings.export_file, "export the trained (or loaded) model to this ONNX file");
  app.add_option("--backup-dir", settings.backup_dir, "back up after every epoch; run again after a crash to resume");
  app.add_option("--verbose", settings.verbose, "0 silent, 1 or 2 one line per epoch")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  // One readable line for bad arguments, like every other failure of this program.
  app.failure_message([](const CLI::App* /*app*/, const CLI::Error& error) {
    return fmt::format("tkeras-mnist: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    return run(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-mnist: error: {}\n", error.what());
    return 1;
  }
}
