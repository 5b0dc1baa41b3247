// tkeras-progbar-bench: what the live progress bar costs. Trains the course's model on
// Fashion-MNIST with verbose 0 and with verbose 1 drawing the live bar, alternating runs in one
// process, and prints the median epoch seconds of each and their ratio. Run it on a terminal (or
// under `script -qc ... /dev/null` for a pseudo-terminal) so that the bar is really drawn.
#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 2;
  int repeats = 3;
  int64_t batch_size = 32;
  CLI::App app{"Measures the live progress bar's cost against silent training."};
  app.add_option("--epochs", epochs, "epochs per run")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--repeats", repeats, "runs of each kind")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--batch-size", batch_size, "samples per step")->check(CLI::Range(1, 100000))->capture_default_str();
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-progbar-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
    x_train = x_train.to(torch::kFloat32) / 255.0;
    std::vector<double> seconds[2];
    for (int repeat = 0; repeat < repeats; ++repeat) {
      for (int verbose : {0, 1}) {
        tk::utils::set_random_seed(static_cast<uint64_t>(repeat));
        tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                              tk::layers::Dense(10, "softmax")});
        model.compile(
            {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
        // The bar as fit adds it on a terminal; forced on so that a pipe cannot turn it off silently.
        auto bar =
            std::make_shared<tk::callbacks::ProgbarLogger>(tk::callbacks::ProgbarLoggerOptions{.terminal = true});
        const auto start = std::chrono::steady_clock::now();
        model.fit(x_train, y_train,
                  {.epochs = epochs,
                   .batch_size = batch_size,
                   .verbose = verbose,
                   .callbacks = verbose == 1 ? std::vector<std::shared_ptr<tk::callbacks::Callback>>{bar}
                                             : std::vector<std::shared_ptr<tk::callbacks::Callback>>{}});
        seconds[verbose].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                                   epochs);
      }
    }
    const double silent = median(seconds[0]);
    const double drawn = median(seconds[1]);
    fmt::print("\nepoch seconds (median of {}): verbose=0 {:.3f}, verbose=1 live bar {:.3f}, ratio {:.4f}\n", repeats,
               silent, drawn, drawn / silent);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-progbar-bench: error: {}\n", error.what());
    return 1;
  }
}
