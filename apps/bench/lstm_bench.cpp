// tkeras-lstm-bench: what tkeras's fit costs on a text model against the loop a LibTorch user
// writes by hand with torch::nn::LSTM.
//
// The model of the courses' text part: Embedding (10,000 x 64), LSTM 64, Dense 1 with sigmoid, on
// sequences of 120 token ids in batches of 32, trained with Adam on binary cross-entropy. The
// data are seeded random ids whose label says whether the sequence holds more low ids than high
// ones, so that both sides learn something. `fit` and the hand-written loop (torch::nn::Embedding,
// torch::nn::LSTM with batch_first, torch::nn::Linear, torch::optim::Adam,
// binary_cross_entropy_with_logits, the loss and accuracy read with item() per batch, as fit logs
// them) alternate in one process. Prints the median epoch seconds of each and their ratio (the
// median of the per-repeat ratios).
#include <algorithm>
#include <chrono>
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

constexpr int64_t kVocabulary = 10000;
constexpr int64_t kEmbedding = 64;
constexpr int64_t kUnits = 64;

struct Settings {
  int64_t samples = 2000;
  int64_t length = 120;
  int64_t batch_size = 32;
  int epochs = 2;
  int repeats = 3;
  int threads = 0;   // 0: LibTorch's default
  std::string only;  // "hand" or "tkeras": run one side, for a profiler
};

struct HandModel : torch::nn::Module {
  torch::nn::Embedding embedding{nullptr};
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear output{nullptr};

  HandModel() {
    embedding = register_module("embedding", torch::nn::Embedding(kVocabulary, kEmbedding));
    lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(kEmbedding, kUnits).batch_first(true)));
    output = register_module("output", torch::nn::Linear(kUnits, 1));
  }

  torch::Tensor forward(const torch::Tensor& ids) {
    const torch::Tensor steps = std::get<0>(lstm->forward(embedding(ids)));
    return output(steps.select(1, steps.size(1) - 1)).squeeze(1);  // logits
  }
};

std::vector<double> run_hand_written(const Settings& settings, const torch::Tensor& x, const torch::Tensor& y,
                                     uint64_t seed) {
  tk::utils::set_random_seed(seed);
  HandModel model;
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
  const int64_t samples = x.size(0);
  std::vector<double> epoch_seconds;
  for (int epoch = 0; epoch < settings.epochs; ++epoch) {
    const auto start = Clock::now();
    model.train();
    const torch::Tensor order = torch::randperm(samples, torch::kLong);
    double loss_sum = 0.0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < samples; begin += settings.batch_size) {
      const torch::Tensor index = order.narrow(0, begin, std::min(settings.batch_size, samples - begin));
      const torch::Tensor xb = x.index_select(0, index);
      const torch::Tensor yb = y.index_select(0, index);
      optimizer.zero_grad();
      const torch::Tensor logits = model.forward(xb);
      const torch::Tensor loss = torch::binary_cross_entropy_with_logits(logits, yb);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(xb.size(0));
      correct += (logits > 0).eq(yb > 0.5).sum().item<int64_t>();
    }
    epoch_seconds.push_back(seconds_since(start));
    fmt::print("  hand-written epoch {}: {:.3f} s, loss {:.4f}, accuracy {:.4f}\n", epoch + 1, epoch_seconds.back(),
               loss_sum / static_cast<double>(samples), static_cast<double>(correct) / static_cast<double>(samples));
  }
  return epoch_seconds;
}

std::vector<double> run_tkeras(const Settings& settings, const torch::Tensor& x, const torch::Tensor& y,
                               uint64_t seed) {
  tk::utils::set_random_seed(seed);
  tk::Sequential model({tk::layers::Input({settings.length}), tk::layers::Embedding(kVocabulary, kEmbedding),
                        tk::layers::LSTM(kUnits), tk::layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  std::vector<double> epoch_seconds;
  Clock::time_point start;
  auto timer = std::make_shared<tk::callbacks::LambdaCallback>(tk::callbacks::LambdaCallbackOptions{
      .on_epoch_begin = [&](int, const tk::Logs&) { start = Clock::now(); },
      .on_epoch_end =
          [&](int epoch, const tk::Logs& logs) {
            epoch_seconds.push_back(seconds_since(start));
            fmt::print("  tkeras fit epoch {}:   {:.3f} s, loss {:.4f}, accuracy {:.4f}\n", epoch + 1,
                       epoch_seconds.back(), logs.at("loss"), logs.at("accuracy"));
          },
  });
  model.fit(x, y, {.epochs = settings.epochs, .batch_size = settings.batch_size, .verbose = 0, .callbacks = {timer}});
  return epoch_seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Times tkeras's fit of an Embedding-LSTM model against a hand-written torch::nn::LSTM loop."};
  app.add_option("--samples", settings.samples, "sequences per epoch")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  app.add_option("--length", settings.length, "token ids per sequence")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "sequences per step")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  app.add_option("--epochs", settings.epochs, "epochs per run")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--repeats", settings.repeats, "runs of each kind, alternating")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--threads", settings.threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--only", settings.only, "run only one side (for a profiler): hand or tkeras")
      ->check(CLI::IsMember({"hand", "tkeras"}));
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-lstm-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    if (settings.threads > 0) torch::set_num_threads(settings.threads);
    settings.threads = torch::get_num_threads();
    torch::manual_seed(0);
    const torch::Tensor x = torch::randint(1, kVocabulary, {settings.samples, settings.length}, torch::kLong);
    const torch::Tensor y = ((x < kVocabulary / 2).sum(1) * 2 > settings.length).to(torch::kFloat32);
    fmt::print(
        "tkeras-lstm-bench: Embedding {} x {}, LSTM {}, Dense 1; {} sequences of {} ids, batch {}, {} thread(s), "
        "{} epochs x {} repeats\n",
        kVocabulary, kEmbedding, kUnits, settings.samples, settings.length, settings.batch_size, settings.threads,
        settings.epochs, settings.repeats);

    std::vector<double> hand_seconds, tkeras_seconds, ratios;
    for (int repeat = 0; repeat < settings.repeats; ++repeat) {
      const auto seed = static_cast<uint64_t>(repeat + 1);
      std::vector<double> hand, ours;
      if (settings.only == "hand") {
        hand = ours = run_hand_written(settings, x, y, seed);
      } else if (settings.only == "tkeras") {
        hand = ours = run_tkeras(settings, x, y, seed);
      } else if (repeat % 2 == 0) {  // alternate which runs first
        hand = run_hand_written(settings, x, y, seed);
        ours = run_tkeras(settings, x, y, seed);
      } else {
        ours = run_tkeras(settings, x, y, seed);
        hand = run_hand_written(settings, x, y, seed);
      }
      hand_seconds.insert(hand_seconds.end(), hand.begin(), hand.end());
      tkeras_seconds.insert(tkeras_seconds.end(), ours.begin(), ours.end());
      ratios.push_back(median(ours) / median(hand));
      fmt::print("repeat {}: hand-written {:.3f} s/epoch, tkeras {:.3f} s/epoch, ratio {:.3f}\n", repeat + 1,
                 median(hand), median(ours), ratios.back());
    }
    fmt::print("\nresult: Embedding-LSTM, {} sequences of {}, batch {}, {} thread(s)\n", settings.samples,
               settings.length, settings.batch_size, settings.threads);
    fmt::print("  hand-written loop: {:.3f} s/epoch (median of {} epochs)\n", median(hand_seconds),
               hand_seconds.size());
    fmt::print("  tkeras fit:        {:.3f} s/epoch (median of {} epochs)\n", median(tkeras_seconds),
               tkeras_seconds.size());
    fmt::print("  ratio tkeras / hand-written: {:.3f} (median of {} per-repeat ratios:", median(ratios), ratios.size());
    for (double ratio : ratios) fmt::print(" {:.3f}", ratio);
    fmt::print(")\n");
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-lstm-bench: error: {}\n", error.what());
    return 1;
  }
}
