// tkeras-progbar-bench: what the live progress bar costs. Trains the course's model on
// Fashion-MNIST with verbose 0 and with verbose 1 drawing the live bar, alternating runs in one
// process, and prints the median epoch seconds of each and their ratio. Run it on a terminal (or
// under `script -qc ... /dev/null` for a pseudo-terminal) so that the bar is really drawn.
//
// On a shared machine the difference of two epoch times is noisier than 2%, so the program also
// measures the bar's cost directly: the bar is wrapped in a callback that times every hook it
// receives and the device reads `fit` makes for it (from the moment the bar asks for values at a
// batch to the moment it receives them), and prints that time as a share of the epoch.
#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;

namespace {

using Clock = std::chrono::steady_clock;

// Forwards every hook to the bar and adds up the time spent in them and in the reads of the
// running values that the bar asks for.
class TimedCallback : public tk::callbacks::Callback {
 public:
  explicit TimedCallback(std::shared_ptr<tk::callbacks::Callback> inner) : inner_(std::move(inner)) {}

  double seconds() const { return seconds_; }
  int64_t reads() const { return reads_; }

  void on_train_begin(const tk::Logs& logs) override {
    // fit runs with verbose 0 so that it adds no bar of its own (it cannot see the bar inside
    // this wrapper); the bar is told verbose 1, as fit would tell it.
    tk::callbacks::Params bar_params = params();
    bar_params.verbose = 1;
    inner_->set_model(model());
    inner_->set_params(bar_params);
    timed([&] { inner_->on_train_begin(logs); });
  }
  void on_train_end(const tk::Logs& logs) override {
    timed([&] { inner_->on_train_end(logs); });
  }
  void on_epoch_begin(int epoch, const tk::Logs& logs) override {
    timed([&] { inner_->on_epoch_begin(epoch, logs); });
  }
  void on_epoch_end(int epoch, const tk::Logs& logs) override {
    timed([&] { inner_->on_epoch_end(epoch, logs); });
  }
  void on_train_batch_begin(int64_t batch, const tk::Logs& logs) override {
    timed([&] { inner_->on_train_batch_begin(batch, logs); });
  }
  void on_train_batch_end(int64_t batch, const tk::Logs& logs) override {
    if (read_pending_) {  // fit read the values between wants_batch_logs_at and this call
      seconds_ += std::chrono::duration<double>(Clock::now() - read_start_).count();
      read_pending_ = false;
      ++reads_;
    }
    timed([&] { inner_->on_train_batch_end(batch, logs); });
  }
  bool wants_batch_logs() const override { return inner_->wants_batch_logs(); }
  bool wants_batch_logs_at(int64_t batch) const override {
    const auto start = Clock::now();
    const bool wants = inner_->wants_batch_logs_at(batch);
    if (wants) {
      read_pending_ = true;
      read_start_ = Clock::now();
    }
    seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    return wants;
  }

 private:
  template <typename F>
  void timed(F&& function) {
    const auto start = Clock::now();
    function();
    seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  }

  std::shared_ptr<tk::callbacks::Callback> inner_;
  mutable double seconds_ = 0.0;
  mutable bool read_pending_ = false;
  mutable Clock::time_point read_start_;
  mutable int64_t reads_ = 0;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 2;
  int repeats = 3;
  int64_t batch_size = 32;
  int only_verbose = -1;
  double interval = 0.2;
  CLI::App app{"Measures the live progress bar's cost against silent training."};
  app.add_option("--epochs", epochs, "epochs per run")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--repeats", repeats, "runs of each kind")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--batch-size", batch_size, "samples per step")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--verbose", only_verbose,
                 "run only this verbosity (0 or 1), e.g. one per process under callgrind; default: both, alternating")
      ->check(CLI::Range(0, 1));
  app.add_option("--interval", interval,
                 "seconds between the bar's redraws (under callgrind, which runs ~50x slower, the default 0.2 "
                 "redraws ~50x more often per step than at full speed: an upper bound on the bar's cost)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-progbar-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    auto [x_train, y_train, x_test, y_test] = tk::datasets::fashion_mnist::load_data();
    x_train = x_train.to(torch::kFloat32) / 255.0;
    std::vector<double> seconds[2];
    std::vector<double> bar_shares;
    int64_t bar_reads = 0;
    for (int repeat = 0; repeat < repeats; ++repeat) {
      for (int verbose : {0, 1}) {
        if (only_verbose >= 0 && verbose != only_verbose) continue;
        tk::utils::set_random_seed(static_cast<uint64_t>(repeat));
        tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                              tk::layers::Dense(10, "softmax")});
        model.compile(
            {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
        // The bar as fit adds it on a terminal; forced on so that a pipe cannot turn it off silently.
        auto bar = std::make_shared<TimedCallback>(std::make_shared<tk::callbacks::ProgbarLogger>(
            tk::callbacks::ProgbarLoggerOptions{.terminal = true, .interval = interval}));
        const auto start = std::chrono::steady_clock::now();
        model.fit(x_train, y_train,
                  {.epochs = epochs,
                   .batch_size = batch_size,
                   .verbose = 0,  // verbose 1 runs draw the bar through the timed wrapper
                   .callbacks = verbose == 1 ? std::vector<std::shared_ptr<tk::callbacks::Callback>>{bar}
                                             : std::vector<std::shared_ptr<tk::callbacks::Callback>>{}});
        const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        seconds[verbose].push_back(total / epochs);
        if (verbose == 1) {
          bar_shares.push_back(bar->seconds() / total);
          bar_reads += bar->reads();
        }
      }
    }
    if (!bar_shares.empty()) {
      fmt::print(
          "\ntime in the bar's hooks and its value reads: {:.3f}% of training (median of {} runs; {} reads "
          "of the running values, {:.1f} per epoch)\n",
          100.0 * median(bar_shares), bar_shares.size(), bar_reads,
          static_cast<double>(bar_reads) / static_cast<double>(bar_shares.size() * epochs));
    }
    if (only_verbose >= 0) {
      fmt::print("\nepoch seconds (median of {}): verbose={} {:.3f}\n", repeats, only_verbose,
                 median(seconds[only_verbose]));
      return 0;
    }
    // Each pair ran back to back, so its ratio cancels the machine's slow drifts; the median of the
    // pair ratios is the figure to quote.
    std::vector<double> ratios;
    for (int repeat = 0; repeat < repeats; ++repeat) ratios.push_back(seconds[1][repeat] / seconds[0][repeat]);
    const double silent = median(seconds[0]);
    const double drawn = median(seconds[1]);
    fmt::print("\nepoch seconds (median of {}): verbose=0 {:.3f}, verbose=1 live bar {:.3f}, ratio of medians {:.4f}\n",
               repeats, silent, drawn, drawn / silent);
    fmt::print("pair ratios:");
    for (double ratio : ratios) fmt::print(" {:.4f}", ratio);
    fmt::print("\nmedian pair ratio {:.4f}\n", median(ratios));
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-progbar-bench: error: {}\n", error.what());
    return 1;
  }
}
