// tkeras-bench: what tkeras's fit costs against the loop a LibTorch user writes by hand.
//
// Trains the course's model (Flatten, Dense 128 relu, Dense 10 softmax; or the CNN with two
// Conv2D + MaxPooling2D in front; or a residual block, two Conv2D whose outputs are added, then
// MaxPooling2D, in front) on Fashion-MNIST with Adam, once with `fit` and once with a
// hand-written LibTorch loop of the same model, optimizer, batch size, data and seed, alternating
// the two in one process. Prints the median epoch seconds of each, their ratio (the median of the
// per-repeat ratios, which cancels the machine's slow drifts) and both test accuracies.
//
// The hand-written loop is what the LibTorch C++ frontend's examples teach: data on the device,
// `randperm` once per epoch, `index_select` per batch, `torch::nn::Linear`, `torch::optim::Adam`,
// `cross_entropy`, and the loss and accuracy summed per batch with `item()` (the information
// `fit` logs). `fit` runs with verbose 0, as the loop prints nothing. With `--functional` tkeras's
// model is the same layers drawn as a Functional graph (tkeras::Model(inputs, outputs)) rather
// than a Sequential; the residual model is always one.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

#include "timing.h"

namespace tk = tkeras;

namespace {

using tkeras::bench::Clock;
using tkeras::bench::median;
using tkeras::bench::seconds_since;

struct Settings {
  std::string model = "dense";
  int64_t batch_size = 32;
  std::string device = "cpu";
  int epochs = 2;
  int repeats = 3;
  int threads = 0;      // 0: LibTorch's default (the wheel's: one per core)
  int64_t samples = 0;  // 0: all 60,000
  std::string only;     // "hand" or "tkeras": run one side, for a profiler
  bool jit = false;     // compile tkeras's model with jit (a CUDA graph on CUDA)
  std::string precision = "float32";
  bool keep_subnormals = false;  // tkeras::config::set_flush_denormal(false)
  bool functional = false;       // tkeras's model as a Functional graph
};

struct Run {
  std::vector<double> epoch_seconds;
  double test_accuracy = 0.0;
};

// The hand-written model: the same layers with LibTorch's modules, Keras's Glorot-uniform init.
struct HandModel : torch::nn::Module {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear hidden{nullptr}, output{nullptr};
  std::string kind;

  explicit HandModel(std::string model) : kind(std::move(model)) {
    int64_t features = 28 * 28;
    if (kind == "cnn") {
      conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 64, 3)));
      conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3)));
      features = 64 * 5 * 5;
    } else if (kind == "residual") {
      conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1)));
      conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 32, 3).padding(1)));
      features = 32 * 14 * 14;
    }
    hidden = register_module("hidden", torch::nn::Linear(features, 128));
    output = register_module("output", torch::nn::Linear(128, 10));
    const torch::NoGradGuard no_grad;
    for (auto& parameter : parameters()) {
      if (parameter.dim() > 1) {
        torch::nn::init::xavier_uniform_(parameter);
      } else {
        parameter.zero_();
      }
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    if (kind == "cnn") {
      x = torch::max_pool2d(torch::relu(conv1(x.unsqueeze(1))), 2);
      x = torch::max_pool2d(torch::relu(conv2(x)), 2);
    } else if (kind == "residual") {
      x = torch::relu(conv1(x.unsqueeze(1)));
      x = torch::max_pool2d(torch::relu(x + conv2(x)), 2);
    }
    x = torch::relu(hidden(x.flatten(1)));
    return output(x);  // logits; cross_entropy applies log-softmax
  }
};

Run run_hand_written(const Settings& settings, const torch::Tensor& x_cpu, const torch::Tensor& y_cpu,
                     const torch::Tensor& x_test_cpu, const torch::Tensor& y_test_cpu, uint64_t seed) {
  tk::utils::set_random_seed(seed);
  const torch::Device device(settings.device);
  HandModel model(settings.model);
  model.to(device);
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
  const torch::Tensor x = x_cpu.to(device);
  const torch::Tensor y = y_cpu.to(device);
  const int64_t samples = x.size(0);
  Run run;
  for (int epoch = 0; epoch < settings.epochs; ++epoch) {
    const auto start = Clock::now();
    model.train();
    const torch::Tensor order = torch::randperm(samples, torch::TensorOptions().dtype(torch::kLong).device(device));
    double loss_sum = 0.0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < samples; begin += settings.batch_size) {
      const torch::Tensor index = order.narrow(0, begin, std::min(settings.batch_size, samples - begin));
      const torch::Tensor xb = x.index_select(0, index);
      const torch::Tensor yb = y.index_select(0, index);
      optimizer.zero_grad();
      const torch::Tensor logits = model.forward(xb);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, yb);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(xb.size(0));
      correct += logits.argmax(1).eq(yb).sum().item<int64_t>();
    }
    run.epoch_seconds.push_back(seconds_since(start));
    fmt::print("  hand-written epoch {}: {:.3f} s, loss {:.4f}, accuracy {:.4f}\n", epoch + 1, run.epoch_seconds.back(),
               loss_sum / static_cast<double>(samples), static_cast<double>(correct) / static_cast<double>(samples));
  }
  const torch::NoGradGuard no_grad;
  model.eval();
  const torch::Tensor predictions = model.forward(x_test_cpu.to(device)).argmax(1).cpu();
  run.test_accuracy = predictions.eq(y_test_cpu).to(torch::kFloat64).mean().item<double>();
  return run;
}

Run run_tkeras(const Settings& settings, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& x_test,
               const torch::Tensor& y_test, uint64_t seed) {
  tk::utils::set_random_seed(seed);
  std::unique_ptr<tk::Model> built;
  if (settings.model == "residual") {
    tk::KerasTensor inputs = tk::Input({28, 28});
    tk::KerasTensor x =
        tk::layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"})(tk::layers::Reshape({28, 28, 1})(inputs));
    tk::KerasTensor r = tk::layers::Conv2D(32, 3, {.padding = "same"})(x);
    x = tk::layers::MaxPooling2D(2)(tk::layers::Activation("relu")(tk::layers::Add()({x, r})));
    x = tk::layers::Dense(128, "relu")(tk::layers::Flatten()(x));
    built = std::make_unique<tk::Model>(inputs, tk::layers::Dense(10, "softmax")(x));
  } else {
    std::vector<tk::layers::AnyLayer> stack;
    if (settings.model == "cnn") {
      stack = {tk::layers::Reshape({28, 28, 1}), tk::layers::Conv2D(64, 3, {.activation = "relu"}),
               tk::layers::MaxPooling2D(2), tk::layers::Conv2D(64, 3, {.activation = "relu"}),
               tk::layers::MaxPooling2D(2)};
    }
    stack.insert(stack.end(),
                 {tk::layers::Flatten(), tk::layers::Dense(128, "relu"), tk::layers::Dense(10, "softmax")});
    if (settings.functional) {
      tk::KerasTensor inputs = tk::Input({28, 28});
      tk::KerasTensor x = inputs;
      for (const tk::layers::AnyLayer& layer : stack) x = (*layer.get())(x);
      built = std::make_unique<tk::Model>(inputs, x);
    } else {
      stack.insert(stack.begin(), tk::layers::Input({28, 28}));
      built = std::make_unique<tk::Sequential>(stack);
    }
  }
  tk::Model& model = *built;
  model.compile({.optimizer = "adam",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = settings.device,
                 .jit = settings.jit,
                 .precision = settings.precision});
  Run run;
  Clock::time_point start;
  auto timer = std::make_shared<tk::callbacks::LambdaCallback>(tk::callbacks::LambdaCallbackOptions{
      .on_epoch_begin = [&](int, const tk::Logs&) { start = Clock::now(); },
      .on_epoch_end =
          [&](int epoch, const tk::Logs& logs) {
            run.epoch_seconds.push_back(seconds_since(start));
            fmt::print("  tkeras fit epoch {}:   {:.3f} s, loss {:.4f}, accuracy {:.4f}\n", epoch + 1,
                       run.epoch_seconds.back(), logs.at("loss"), logs.at("accuracy"));
          },
  });
  model.fit(x, y, {.epochs = settings.epochs, .batch_size = settings.batch_size, .verbose = 0, .callbacks = {timer}});
  run.test_accuracy = model.evaluate(x_test, y_test, {.batch_size = 1024, .verbose = 0}).at("accuracy");
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Times tkeras's fit against a hand-written LibTorch loop on Fashion-MNIST, in one process."};
  app.add_option("--model", settings.model,
                 "dense (Flatten, Dense 128, Dense 10), cnn (two Conv2D + pooling first) or residual (two Conv2D "
                 "added, then pooling, first)")
      ->check(CLI::IsMember({"dense", "cnn", "residual"}))
      ->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "samples per step")
      ->check(CLI::Range(int64_t{1}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--device", settings.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--epochs", settings.epochs, "epochs per run")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--repeats", settings.repeats, "runs of each kind, alternating")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--threads", settings.threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--samples", settings.samples, "train on the first N images (0: all 60,000)")
      ->check(CLI::Range(int64_t{0}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--only", settings.only, "run only one side (for a profiler): hand or tkeras")
      ->check(CLI::IsMember({"hand", "tkeras"}));
  app.add_flag("--jit", settings.jit, "compile tkeras's model with jit (on CUDA: the train step as one CUDA graph)");
  app.add_option("--precision", settings.precision, "tkeras's compute precision: float32 or bf16-mixed")
      ->check(CLI::IsMember({"float32", "bf16-mixed"}))
      ->capture_default_str();
  app.add_flag("--functional", settings.functional,
               "draw tkeras's model as a Functional graph rather than a Sequential (residual: always)");
  app.add_flag("--keep-subnormals", settings.keep_subnormals,
               "tkeras keeps IEEE subnormal floats (flushing them to zero is its default, as TensorFlow's)");
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    if (settings.threads > 0) torch::set_num_threads(settings.threads);
    settings.threads = torch::get_num_threads();
    tk::config::set_flush_denormal(!settings.keep_subnormals);
    const torch::Device device = tk::resolve_device(settings.device);
    settings.device = device.str();

    auto start = Clock::now();
    auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
    const double load_seconds = seconds_since(start);
    x_train = x_train.to(torch::kFloat32) / 255.0;  // normalise pixels 0..255 to 0..1
    x_test = x_test.to(torch::kFloat32) / 255.0;
    if (settings.samples > 0) {
      x_train = x_train.narrow(0, 0, settings.samples);
      y_train = y_train.narrow(0, 0, settings.samples);
    }
    fmt::print(
        "tkeras-bench: {} model{}, {} training images, batch {}, {}, {} thread(s), {} epochs x {} repeats, tkeras "
        "jit {}, precision {}, subnormals {}\n",
        settings.model, settings.functional || settings.model == "residual" ? " (Functional)" : "", x_train.size(0),
        settings.batch_size, settings.device, settings.threads, settings.epochs, settings.repeats,
        settings.jit ? "on" : "off", settings.precision, settings.keep_subnormals ? "kept" : "flushed");
    fmt::print("loading Fashion-MNIST (4 gz files): {:.3f} s\n", load_seconds);

    std::vector<double> hand_seconds, tkeras_seconds, ratios;
    Run hand, ours;
    for (int repeat = 0; repeat < settings.repeats; ++repeat) {
      const auto seed = static_cast<uint64_t>(repeat + 1);
      // Alternate which runs first, so that neither always gets the warmer machine.
      if (!settings.only.empty()) {
        if (settings.only == "hand") {
          hand = run_hand_written(settings, x_train, y_train, x_test, y_test, seed);
          ours = hand;
        } else {
          ours = run_tkeras(settings, x_train, y_train, x_test, y_test, seed);
          hand = ours;
        }
      } else if (repeat % 2 == 0) {
        hand = run_hand_written(settings, x_train, y_train, x_test, y_test, seed);
        ours = run_tkeras(settings, x_train, y_train, x_test, y_test, seed);
      } else {
        ours = run_tkeras(settings, x_train, y_train, x_test, y_test, seed);
        hand = run_hand_written(settings, x_train, y_train, x_test, y_test, seed);
      }
      hand_seconds.insert(hand_seconds.end(), hand.epoch_seconds.begin(), hand.epoch_seconds.end());
      tkeras_seconds.insert(tkeras_seconds.end(), ours.epoch_seconds.begin(), ours.epoch_seconds.end());
      ratios.push_back(median(ours.epoch_seconds) / median(hand.epoch_seconds));
      fmt::print(
          "repeat {}: hand-written {:.3f} s/epoch, tkeras {:.3f} s/epoch, ratio {:.3f}; test accuracy {:.4f} vs "
          "{:.4f}\n",
          repeat + 1, median(hand.epoch_seconds), median(ours.epoch_seconds), ratios.back(), hand.test_accuracy,
          ours.test_accuracy);
    }

    start = Clock::now();
    tk::Sequential built({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                          tk::layers::Dense(10, "softmax")});
    built.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
    const double build_seconds = seconds_since(start);

    fmt::print("\nresult: {} model, batch {}, {}, {} thread(s), tkeras jit {}, precision {}\n", settings.model,
               settings.batch_size, settings.device, settings.threads, settings.jit ? "on" : "off", settings.precision);
    fmt::print("  hand-written loop: {:.3f} s/epoch (median of {} epochs)\n", median(hand_seconds),
               hand_seconds.size());
    fmt::print("  tkeras fit:        {:.3f} s/epoch (median of {} epochs)\n", median(tkeras_seconds),
               tkeras_seconds.size());
    fmt::print("  ratio tkeras / hand-written: {:.3f} (median of {} per-repeat ratios:", median(ratios), ratios.size());
    for (double ratio : ratios) fmt::print(" {:.3f}", ratio);
    fmt::print(")\n  test accuracy, last repeat: hand-written {:.4f}, tkeras {:.4f}\n", hand.test_accuracy,
               ours.test_accuracy);
    fmt::print("  startup: loading Fashion-MNIST {:.3f} s, building and compiling the model {:.3f} s\n", load_seconds,
               build_seconds);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-bench: error: {}\n", error.what());
    return 1;
  }
}
