// tkeras-image-bench: how fast tkeras's image pipeline reads a folder of JPEGs, and how long a CNN's
// train step waits for data with and without prefetching. scripts/image_bench.py runs it beside
// PyTorch's DataLoader on the same folder and prints the ratio.
//
// It also times the loader's bilinear resize against LibTorch's interpolate, which gives the same
// values, on the folder's first images, alternating the two in one run.
//
// Usage: tkeras-image-bench DIR [--image-size 180] [--batch-size 32] [--passes 2] [--train-steps 40]
//                               [--resize-images 300]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

#include "timing.h"

#include "data/resize.h"  // the loader's resize (internal), timed against LibTorch's interpolate

namespace tk = tkeras;
namespace layers = tk::layers;
using tkeras::bench::Clock;
using tkeras::bench::seconds_since;

namespace {

// The time between one batch's end and the next one's start: what the step waited for its data.
class DataWait : public tk::callbacks::Callback {
 public:
  void on_epoch_begin(int /*epoch*/, const tk::Logs& /*logs*/) override { last_end_.reset(); }
  void on_train_batch_begin(int64_t /*batch*/, const tk::Logs& /*logs*/) override {
    if (last_end_) {
      waited_ += seconds_since(*last_end_);
      ++waits_;
    }
    begin_ = Clock::now();
  }
  void on_train_batch_end(int64_t /*batch*/, const tk::Logs& /*logs*/) override {
    stepping_ += seconds_since(begin_);
    last_end_ = Clock::now();
  }
  double mean_wait_ms() const { return waits_ == 0 ? 0.0 : 1e3 * waited_ / static_cast<double>(waits_); }
  double mean_step_ms(int64_t steps) const { return 1e3 * stepping_ / static_cast<double>(steps); }

 private:
  std::optional<Clock::time_point> last_end_;
  Clock::time_point begin_;
  double waited_ = 0, stepping_ = 0;
  int64_t waits_ = 0;
};

// An [H, W, C] image resized to size x size with LibTorch's bilinear interpolate (half-pixel
// centres), as float32 [size, size, C].
torch::Tensor libtorch_resize(const torch::Tensor& image, int64_t size) {
  namespace F = torch::nn::functional;
  return F::interpolate(image.to(torch::kFloat32).permute({2, 0, 1}).unsqueeze(0),
                        F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{size, size})
                            .mode(torch::kBilinear)
                            .align_corners(false))
      .squeeze(0)
      .permute({1, 2, 0})
      .contiguous();
}

// image_dataset_from_directory's work without its worker threads: each image decoded and resized
// (bilinear, half-pixel centres) when the training thread asks for it.
tk::data::Dataset serial_pipeline(const tk::data::DirectoryDataset& dataset, int64_t size, int64_t batch_size) {
  const auto paths = std::make_shared<std::vector<std::string>>(dataset.file_paths());
  std::vector<int64_t> labels;
  for (const std::string& path : *paths) {
    const std::string folder = std::filesystem::path(path).parent_path().filename().string();
    const auto& names = dataset.class_names();
    labels.push_back(std::find(names.begin(), names.end(), folder) - names.begin());
  }
  const torch::Tensor indices = torch::arange(static_cast<int64_t>(paths->size()));
  return tk::data::Dataset::from_tensor_slices(indices, torch::tensor(labels).to(torch::kInt32))
      .shuffle(8 * batch_size, {.seed = 1})
      .map([paths, size](tk::data::Element element) {
        element.x = libtorch_resize(
            tk::data::decode_image(std::filesystem::path((*paths)[element.x.item<int64_t>()]), 3), size);
        return element;
      })
      .batch(batch_size)
      .repeat();
}

// Milliseconds per image of the loader's resize and of LibTorch's interpolate (channels-last float,
// as Keras's torch backend resizes), over `images` decoded images, alternating over 5 rounds; and
// the largest difference between their values.
void time_resize(const std::vector<std::string>& paths, int64_t count, int64_t size) {
  std::vector<torch::Tensor> images;
  for (int64_t i = 0; i < std::min<int64_t>(count, static_cast<int64_t>(paths.size())); ++i) {
    images.push_back(tk::data::decode_image(std::filesystem::path(paths[static_cast<size_t>(i)]), 3));
  }
  if (images.empty()) return;
  auto libtorch = [size](const torch::Tensor& image) { return libtorch_resize(image, size); };
  auto loader = [size](const torch::Tensor& image) { return tk::data::resize::bilinear_image(image, size, size); };
  double difference = 0.0;
  for (const torch::Tensor& image : images) {
    difference = std::max(difference, (libtorch(image) - loader(image)).abs().max().item<double>());
  }
  const torch::NoGradGuard no_grad;
  at::set_num_threads(1);  // as on a loader's worker thread: one image per thread
  double libtorch_seconds = 0, loader_seconds = 0;
  for (int round = 0; round < 5; ++round) {
    auto start = Clock::now();
    for (const torch::Tensor& image : images) libtorch(image);
    libtorch_seconds += seconds_since(start);
    start = Clock::now();
    for (const torch::Tensor& image : images) loader(image);
    loader_seconds += seconds_since(start);
  }
  const double per_image = 1e3 / (5.0 * static_cast<double>(images.size()));
  fmt::print(
      "resize to {}x{}, one thread, {} images: LibTorch interpolate {:.3f} ms, the loader's {:.3f} ms per image; "
      "ratio {:.2f}; largest difference {}\n",
      size, size, images.size(), libtorch_seconds * per_image, loader_seconds * per_image,
      libtorch_seconds / loader_seconds, difference);
}

}  // namespace

int main(int argc, char** argv) {
  std::string directory;
  int64_t size = 180, batch_size = 32, train_steps = 40;
  int passes = 2;
  int64_t resize_images = 300;
  CLI::App app{"Images per second of image_dataset_from_directory, and a CNN step's wait for data."};
  app.add_option("directory", directory, "folder of class subfolders of images")->required();
  app.add_option("--image-size", size, "height and width of the batches")->capture_default_str();
  app.add_option("--batch-size", batch_size, "images per batch")->capture_default_str();
  app.add_option("--passes", passes, "passes over the folder to time (the first one included)")->capture_default_str();
  app.add_option("--train-steps", train_steps, "train steps of the CNN per prefetch setting")->capture_default_str();
  app.add_option("--resize-images", resize_images, "images to time the resize on (0: skip)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const tk::data::ImageDatasetOptions options{
        .batch_size = batch_size, .image_size = {size, size}, .seed = 1, .verbose = false};
    const auto dataset = tk::data::image_dataset_from_directory(directory, options);
    int64_t images = 0;
    const auto start = Clock::now();
    for (int pass = 0; pass < passes; ++pass) {
      for (const tk::data::Element& batch : dataset) images += batch.x.size(0);
    }
    const double elapsed = seconds_since(start);
    fmt::print("tkeras pipeline: {} images in {:.2f} s: {:.0f} images/s ({} decoding threads)\n", images, elapsed,
               static_cast<double>(images) / elapsed, std::thread::hardware_concurrency());

    // A small CNN's train step, fed by the pipeline with its prefetch (as the loader makes it) and
    // by the same pipeline read on the training thread (prefetch off, map on one thread).
    for (const bool prefetch : {true, false}) {
      tk::utils::set_random_seed(1);
      tk::Sequential model({layers::Input({size, size, 3}), layers::Rescaling(1.0 / 255),
                            layers::Conv2D(16, 3, {.strides = 2, .activation = "relu"}), layers::MaxPooling2D(),
                            layers::Conv2D(32, 3, {.strides = 2, .activation = "relu"}),
                            layers::GlobalAveragePooling2D(),
                            layers::Dense(static_cast<int64_t>(dataset.class_names().size()))});
      model.compile({.optimizer = "adam",
                     .loss = tk::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                     .device = "cpu"});
      // Without prefetch: the same work (decode, resize, batch) done on the training thread.
      tk::data::Dataset data =
          prefetch ? tk::data::Dataset(dataset).repeat() : serial_pipeline(dataset, size, batch_size);
      auto wait = std::make_shared<DataWait>();
      model.fit(data, {.epochs = 1, .verbose = 0, .callbacks = {wait}, .steps_per_epoch = train_steps});
      fmt::print("CNN step with prefetch {}: waits {:.1f} ms for data per step, computes {:.1f} ms\n",
                 prefetch ? "on " : "off", wait->mean_wait_ms(), wait->mean_step_ms(train_steps));
    }
    // Last: it runs LibTorch on one thread from here on.
    if (resize_images > 0) time_resize(dataset.file_paths(), resize_images, size);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-image-bench: error: {}\n", error.what());
    return 1;
  }
  return 0;
}
