// tkeras-ddp-bench: one side of scripts/ddp_bench.py, which measures data-parallel training.
//
// Trains the course's CNN (two 3x3 Conv2D of 64 + 2x2 MaxPooling2D, Dense 128, Dense 10 softmax)
// on the first --samples Fashion-MNIST training images with Adam, one LibTorch thread per
// process, as one process or as one of a job that torchrun started (compile's DataParallel reads
// its environment). Epochs after the first are timed; rank 0 prints the median epoch's samples
// per second over the whole job, with the last epoch's loss and accuracy.
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

#include "timing.h"

namespace tk = tkeras;

int main(int argc, char** argv) {
  CLI::App app{"tkeras-ddp-bench: the course's CNN on Fashion-MNIST, on one process or a torchrun job"};
  int64_t samples = 12800;
  int epochs = 3;
  int64_t batch_size = 128;
  std::string device = "cpu";
  app.add_option("--samples", samples, "training images used")->check(CLI::PositiveNumber);
  app.add_option("--epochs", epochs, "epochs (the first is not timed)")->check(CLI::Range(2, 1000));
  app.add_option("--batch-size", batch_size, "the global batch")->check(CLI::PositiveNumber);
  app.add_option("--device", device, "cpu, or auto/cuda: each process on the GPU of its local rank (NCCL)");
  CLI11_PARSE(app, argc, argv);
  try {
    torch::set_num_threads(1);
    auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
    samples = std::min(samples, x_train.size(0));
    const torch::Tensor x = x_train.narrow(0, 0, samples).to(torch::kFloat32) / 255.0;
    const torch::Tensor y = y_train.narrow(0, 0, samples);

    tk::utils::set_random_seed(1);
    tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Reshape({28, 28, 1}),
                          tk::layers::Conv2D(64, 3, {.activation = "relu"}), tk::layers::MaxPooling2D(2),
                          tk::layers::Conv2D(64, 3, {.activation = "relu"}), tk::layers::MaxPooling2D(2),
                          tk::layers::Flatten(), tk::layers::Dense(128, "relu"), tk::layers::Dense(10, "softmax")});
    model.compile({.optimizer = "adam",
                   .loss = "sparse_categorical_crossentropy",
                   .metrics = {"accuracy"},
                   .device = device,
                   .distribute = tk::distribute::DataParallel{}});

    std::vector<double> seconds;
    tk::bench::Clock::time_point start;
    auto timer = std::make_shared<tk::callbacks::LambdaCallback>(tk::callbacks::LambdaCallbackOptions{
        .on_epoch_begin = [&](int, const tk::Logs&) { start = tk::bench::Clock::now(); },
        .on_epoch_end =
            [&](int epoch, const tk::Logs&) {
              if (epoch > 0) seconds.push_back(tk::bench::seconds_since(start));
            }});
    const tk::History history =
        model.fit(x, y, {.epochs = epochs, .batch_size = batch_size, .verbose = 0, .callbacks = {timer}});
    if (tk::distribute::is_chief()) {
      fmt::print("tkeras processes {} samples/s {:.1f} loss {:.4f} accuracy {:.4f}\n", tk::distribute::world_size(),
                 static_cast<double>(samples) / tk::bench::median(seconds), history.history.at("loss").back(),
                 history.history.at("accuracy").back());
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-ddp-bench: {}\n", error.what());
    return 1;
  }
}
