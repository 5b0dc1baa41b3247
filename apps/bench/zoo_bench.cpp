// tkeras-zoo-bench: tkeras's side of scripts/zoo_bench.py, the model zoo's speed against Keras 3
// and onnxruntime.
//
// Loads a Keras-written `.keras` file (keras.applications.MobileNetV2 or ResNet50, say), compiles
// it with Keras's default Adam or SGD and sparse categorical cross-entropy, and times:
//
// - `predict` on one fixed batch at each of the predict batch sizes (1 and 32 by default): the
//   median wall time of a call, after warm-up calls; predict runs before training, on the file's
//   weights, so that its outputs can be compared with Keras's and onnxruntime's;
// - train steps: `fit` on one fixed batch (32 images by default), one step an epoch, no shuffling,
//   verbose 0; a warm-up `fit` first, then a timed one, whose wall time (everything `fit` does,
//   per-epoch work included) gives the steps per second.
//
// The batch is random (seeded) or read with --inputs from a raw file, the one the Python driver
// also gives Keras and onnxruntime. Prints one `result ...` line per measurement of
// `key=value` fields, for the driver; --export-onnx writes the model for onnxruntime first.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

#include "timing.h"

namespace tk = tkeras;

namespace {

using tkeras::bench::Clock;
using tkeras::bench::median;
using tkeras::bench::seconds_since;

struct Settings {
  std::string model_path;
  int64_t batch_size = 32;  // the training batch, also the largest predict batch
  std::vector<int64_t> predict_batches = {1, 32};
  int steps = 20;  // timed train steps (0: no training)
  int warmup = 3;  // untimed train steps and predict calls before the timed ones
  int runs = 30;   // timed predict calls per batch size (0: no predict)
  std::string optimizer = "adam";
  int threads = 0;  // 0: LibTorch's default (one per core)
  std::string device = "cpu";
  std::string inputs;            // raw batch file: float32 images, then int64 labels
  std::string save_predictions;  // raw float32 outputs of predict on the whole batch
  std::string export_onnx;       // the model as ONNX, for onnxruntime
  uint64_t seed = 1;
};

/// The fixed batch every measurement uses: images `[batch, H, W, C]` and labels `[batch]`.
struct Batch {
  torch::Tensor x;
  torch::Tensor y;
};

/// Reads `path`: `batch * H * W * C` little-endian float32 pixels, then `batch` int64 labels.
Batch read_batch(const std::string& path, int64_t batch, const tk::Shape& image) {
  std::vector<int64_t> x_shape{batch};
  x_shape.insert(x_shape.end(), image.begin(), image.end());
  Batch result{torch::empty(x_shape, torch::kFloat32), torch::empty({batch}, torch::kInt64)};
  const auto x_bytes = static_cast<std::uintmax_t>(result.x.numel()) * sizeof(float);
  const auto y_bytes = static_cast<std::uintmax_t>(batch) * sizeof(int64_t);
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw tk::Error(fmt::format("cannot read the inputs file {}: {}", path, error.message()));
  if (size != x_bytes + y_bytes) {
    throw tk::Error(fmt::format(
        "the inputs file {} holds {} bytes; a batch of {} images {} (float32) and their int64 labels is {} bytes", path,
        size, batch, fmt::join(image, "x"), x_bytes + y_bytes));
  }
  std::ifstream file(path, std::ios::binary);
  file.read(static_cast<char*>(result.x.data_ptr()), static_cast<std::streamsize>(x_bytes));
  file.read(static_cast<char*>(result.y.data_ptr()), static_cast<std::streamsize>(y_bytes));
  if (!file) throw tk::Error(fmt::format("cannot read the inputs file {}", path));
  return result;
}

/// Writes `values` (float32) raw to `path`.
void write_floats(const std::string& path, const torch::Tensor& values) {
  const torch::Tensor contiguous = values.to(torch::kCPU, torch::kFloat32).contiguous();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(static_cast<const char*>(contiguous.data_ptr()),
             static_cast<std::streamsize>(contiguous.numel() * static_cast<int64_t>(sizeof(float))));
  if (!file) throw tk::Error(fmt::format("cannot write the predictions file {}", path));
}

/// Median and fastest call of `predict` at `batch`, in milliseconds, after `warmup` calls.
void time_predict(tk::Model& model, const torch::Tensor& x, int64_t batch, const Settings& settings) {
  const torch::Tensor inputs = x.narrow(0, 0, batch).contiguous();
  const tk::PredictOptions options{.batch_size = batch, .verbose = 0};
  for (int call = 0; call < settings.warmup; ++call) model.predict(inputs, options);
  std::vector<double> milliseconds;
  for (int call = 0; call < settings.runs; ++call) {
    const auto start = Clock::now();
    model.predict(inputs, options);
    milliseconds.push_back(1000.0 * seconds_since(start));
  }
  fmt::print("result predict batch={} runs={} median_ms={:.4f} min_ms={:.4f}\n", batch, settings.runs,
             median(milliseconds), *std::min_element(milliseconds.begin(), milliseconds.end()));
}

/// Steps per second of `fit` on the batch: one step an epoch, after a warm-up `fit`.
void time_training(tk::Model& model, const Batch& batch, const Settings& settings) {
  if (settings.warmup > 0) {
    model.fit(batch.x, batch.y,
              {.epochs = settings.warmup, .batch_size = settings.batch_size, .shuffle = false, .verbose = 0});
  }
  std::vector<double> step_seconds;
  double last_loss = 0.0;
  Clock::time_point step_start;
  auto timer = std::make_shared<tk::callbacks::LambdaCallback>(tk::callbacks::LambdaCallbackOptions{
      .on_epoch_begin = [&](int, const tk::Logs&) { step_start = Clock::now(); },
      .on_epoch_end =
          [&](int, const tk::Logs& logs) {
            step_seconds.push_back(seconds_since(step_start));
            last_loss = logs.at("loss");
          },
  });
  const auto start = Clock::now();
  model.fit(batch.x, batch.y,
            {.epochs = settings.steps,
             .batch_size = settings.batch_size,
             .shuffle = false,
             .verbose = 0,
             .callbacks = {timer}});
  const double seconds = seconds_since(start);
  fmt::print(
      "result train steps={} batch={} seconds={:.4f} steps_per_s={:.4f} median_step_ms={:.3f} min_step_ms={:.3f} "
      "loss={:.6g}\n",
      settings.steps, settings.batch_size, seconds, settings.steps / seconds, 1000.0 * median(step_seconds),
      1000.0 * *std::min_element(step_seconds.begin(), step_seconds.end()), last_loss);
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{
      "Times a Keras-written model's train steps (fit on one fixed batch) and predict calls in tkeras; "
      "one side of scripts/zoo_bench.py."};
  app.add_option("model", settings.model_path, "the .keras (or .tkeras) file")->required()->check(CLI::ExistingFile);
  app.add_option("--batch-size", settings.batch_size, "images in the training batch (and in the inputs file)")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}))
      ->capture_default_str();
  app.add_option("--predict-batches", settings.predict_batches, "predict batch sizes, each at most --batch-size")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{4096}))
      ->capture_default_str();
  app.add_option("--steps", settings.steps, "timed train steps (0: no training)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--warmup", settings.warmup, "untimed train steps, and untimed predict calls per batch size")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--runs", settings.runs, "timed predict calls per batch size (0: no predict)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--optimizer", settings.optimizer, "Keras's defaults: adam (1e-3, epsilon 1e-7) or sgd (0.01)")
      ->check(CLI::IsMember({"adam", "sgd"}))
      ->capture_default_str();
  app.add_option("--threads", settings.threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--device", settings.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--inputs", settings.inputs,
                 "raw batch: float32 images [batch, H, W, C], then int64 labels [batch] (default: random, seeded)")
      ->check(CLI::ExistingFile);
  app.add_option("--save-predictions", settings.save_predictions,
                 "write predict's float32 outputs on the whole batch, raw, before training");
  app.add_option("--export-onnx", settings.export_onnx, "write the model (as loaded) as ONNX, for onnxruntime");
  app.add_option("--seed", settings.seed, "seed of the random batch")->capture_default_str();
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-zoo-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    if (settings.threads > 0) torch::set_num_threads(settings.threads);
    settings.threads = torch::get_num_threads();
    for (int64_t batch : settings.predict_batches) {
      if (batch > settings.batch_size) {
        throw tk::Error(fmt::format("--predict-batches {} is larger than --batch-size {}", batch, settings.batch_size));
      }
    }
    const torch::Device device = tk::resolve_device(settings.device);
    settings.device = device.str();

    auto start = Clock::now();
    std::shared_ptr<tk::Model> model =
        tk::models::load_model(settings.model_path, {.compile = false, .device = settings.device});
    const double load_seconds = seconds_since(start);
    const tk::Shape& image = model->input_shape();
    model->compile(
        {.optimizer = settings.optimizer, .loss = "sparse_categorical_crossentropy", .device = settings.device});

    Batch batch;
    if (settings.inputs.empty()) {
      tk::utils::set_random_seed(settings.seed);
      std::vector<int64_t> x_shape{settings.batch_size};
      x_shape.insert(x_shape.end(), image.begin(), image.end());
      batch = {torch::rand(x_shape) * 2.0 - 1.0, torch::randint(model->output_shape().back(), {settings.batch_size})};
    } else {
      batch = read_batch(settings.inputs, settings.batch_size, image);
    }
    fmt::print(
        "tkeras-zoo-bench: {} ({}, {} weights), input {}, {}, {} thread(s), {}, train batch {}, {} + {} steps, "
        "predict batches {} x {} + {} calls\n",
        settings.model_path, model->name(), model->count_params(), fmt::join(image, "x"), settings.device,
        settings.threads, settings.optimizer, settings.batch_size, settings.warmup, settings.steps,
        fmt::join(settings.predict_batches, ","), settings.warmup, settings.runs);
    fmt::print("result load seconds={:.4f}\n", load_seconds);

    if (!settings.export_onnx.empty()) {
      start = Clock::now();
      tk::export_onnx(*model, settings.export_onnx);
      fmt::print("result export_onnx seconds={:.4f} path={}\n", seconds_since(start), settings.export_onnx);
    }
    if (!settings.save_predictions.empty()) {
      write_floats(settings.save_predictions,
                   model->predict(batch.x, {.batch_size = settings.batch_size, .verbose = 0}));
    }
    if (settings.runs > 0) {
      for (int64_t size : settings.predict_batches) time_predict(*model, batch.x, size, settings);
    }
    if (settings.steps > 0) time_training(*model, batch, settings);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-zoo-bench: error: {}\n", error.what());
    return 1;
  }
}
