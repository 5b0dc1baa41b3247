// tkeras-timeseries: the courses' fourth part, time series, as a command-line program.
//
// It makes the course's synthetic series (a trend, a yearly season and seeded noise, 4 years of
// daily values), keeps the first 1,000 days for training and the rest for validation, and cuts
// the training part into windows of 20 days whose target is the next day. For each model (the
// course's Dense network, a SimpleRNN and a Bidirectional LSTM) it then
//   1. sweeps the learning rate: one run whose LearningRateScheduler raises the rate from 1e-8
//      tenfold every 20 epochs, SGD with momentum 0.9 and the Huber loss, recording the loss
//      at each rate (drawn against the rate with --plot-dir);
//   2. trains a fresh model at a fraction (--rate-fraction, a tenth by default) of the rate where
//      the sweep's loss was lowest;
//   3. forecasts every validation day from the 20 days before it and prints the mean absolute
//      error, beside the naive forecast's (tomorrow as today).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;
namespace layers = tk::layers;

namespace {

constexpr int64_t kDays = 4 * 365 + 1;
constexpr int64_t kSplit = 1000;
constexpr int64_t kWindow = 20;

struct Settings {
  std::string model = "all";
  int epochs = 100;
  int sweep_epochs = 100;
  int64_t batch_size = 32;
  double rate_fraction = 0.1;
  uint64_t seed = 42;
  std::string plot_dir;
  int verbose = 0;
};

// The course's series: baseline 10, slope 0.05 a day, a yearly pattern of amplitude 40 (a cosine
// for the first 40% of the year, then an exponential decay), and normal noise of level 5.
torch::Tensor make_series(uint64_t seed) {
  const torch::Tensor time = torch::arange(kDays, torch::kFloat64);
  const torch::Tensor season_time = torch::fmod(time, 365.0) / 365.0;
  const torch::Tensor pattern =
      torch::where(season_time < 0.4, torch::cos(season_time * 2 * M_PI), 1.0 / torch::exp(3 * season_time));
  auto generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor noise = torch::randn({kDays}, generator, torch::kFloat64) * 5.0;
  return (10.0 + 0.05 * time + 40.0 * pattern + noise).to(torch::kFloat32);
}

tk::Sequential make_model(const std::string& kind) {
  if (kind == "dense") {
    return tk::Sequential(
        {layers::Input({kWindow}), layers::Dense(10, "relu"), layers::Dense(10, "relu"), layers::Dense(1)});
  }
  // The recurrent models read a window as 20 steps of one value, and output a hundredth of the
  // series' scale (the course's Lambda(lambda x: x * 100.0)).
  tk::Sequential model({layers::Input({kWindow}), layers::Reshape({kWindow, 1})});
  if (kind == "rnn") {
    model.add(layers::SimpleRNN(40, {.return_sequences = true}));
    model.add(layers::SimpleRNN(40));
  } else {
    model.add(layers::Bidirectional(layers::LSTM(32, {.return_sequences = true})));
    model.add(layers::Bidirectional(layers::LSTM(32)));
  }
  model.add(layers::Dense(1));
  model.add(layers::Lambda([](const torch::Tensor& x) { return x * 100.0; }, {.name = "scale"}));
  return model;
}

void compile(tk::Sequential& model, double learning_rate) {
  model.compile({.optimizer = tk::optimizers::SGD({.learning_rate = learning_rate, .momentum = 0.9}),
                 .loss = tk::losses::Huber(),
                 .metrics = {"mae"}});
}

tk::data::Dataset training_windows(const torch::Tensor& series, const Settings& settings) {
  const torch::Tensor train = series.narrow(0, 0, kSplit);
  return tk::data::timeseries_dataset_from_array(
      train.narrow(0, 0, kSplit - kWindow), train.narrow(0, kWindow, kSplit - kWindow),
      {.sequence_length = kWindow, .batch_size = settings.batch_size, .shuffle = true, .seed = settings.seed});
}

// Loss against learning rate, the rate on a log scale, as the course's semilogx plot.
void write_sweep_svg(const std::filesystem::path& path, const std::vector<std::pair<double, double>>& points,
                     double chosen, const std::string& title) {
  constexpr double kWidth = 640, kHeight = 400, kLeft = 60, kRight = 20, kTop = 40, kBottom = 50;
  std::vector<std::pair<double, double>> finite;
  for (const auto& point : points) {
    if (std::isfinite(point.second)) finite.push_back(point);
  }
  if (finite.empty()) return;
  const double x_low = std::log10(finite.front().first);
  const double x_high = std::max(std::log10(finite.back().first), x_low + 1e-9);
  // The y range stops at three times the first loss, so that a diverging end does not flatten the curve.
  double y_high = 0.0;
  for (const auto& point : finite) y_high = std::max(y_high, std::min(point.second, 3.0 * finite.front().second));
  const auto x_of = [&](double rate) {
    return kLeft + (std::log10(rate) - x_low) / (x_high - x_low) * (kWidth - kLeft - kRight);
  };
  const auto y_of = [&](double loss) {
    return kTop + (1.0 - std::min(loss, y_high) / y_high) * (kHeight - kTop - kBottom);
  };
  std::ofstream out(path);
  out << fmt::format(
             R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif">)svg",
             kWidth, kHeight)
      << "\n";
  out << fmt::format(R"svg(<text x="{}" y="24" font-size="15">{}</text>)svg", kLeft, title) << "\n";
  out << fmt::format(R"svg(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black"/>)svg", kLeft, kHeight - kBottom,
                     kWidth - kRight)
      << "\n";
  out << fmt::format(R"svg(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="black"/>)svg", kLeft, kTop,
                     kHeight - kBottom)
      << "\n";
  for (int decade = static_cast<int>(std::ceil(x_low)); decade <= static_cast<int>(std::floor(x_high)); ++decade) {
    const double x = x_of(std::pow(10.0, decade));
    out << fmt::format(R"svg(<text x="{}" y="{}" font-size="11" text-anchor="middle">1e{}</text>)svg", x,
                       kHeight - kBottom + 16, decade)
        << "\n";
  }
  out << fmt::format(R"svg(<text x="{}" y="{}" font-size="12" text-anchor="middle">learning rate</text>)svg",
                     (kLeft + kWidth - kRight) / 2, kHeight - 10)
      << "\n";
  out << fmt::format(R"svg(<text x="14" y="{}" font-size="12" transform="rotate(-90 14 {})">loss ({})</text>)svg",
                     kHeight / 2, kHeight / 2, fmt::format("0 to {:.3g}", y_high))
      << "\n";
  std::string path_data;
  for (const auto& [rate, loss] : finite) {
    path_data += fmt::format("{}{:.1f},{:.1f} ", path_data.empty() ? "M" : "L", x_of(rate), y_of(loss));
  }
  out << fmt::format(R"svg(<path d="{}" fill="none" stroke="#1f77b4" stroke-width="2"/>)svg", path_data) << "\n";
  out << fmt::format(R"svg(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#d62728" stroke-dasharray="4"/>)svg",
                     x_of(chosen), kTop, kHeight - kBottom)
      << "\n";
  out << "</svg>\n";
}

// The sweep: one run with the rate raised tenfold every 20 epochs; returns (rate, loss) per epoch.
std::vector<std::pair<double, double>> sweep(const std::string& kind, const torch::Tensor& series,
                                             const Settings& settings) {
  tk::utils::set_random_seed(settings.seed);
  tk::Sequential model = make_model(kind);
  compile(model, 1e-8);
  auto schedule = std::make_shared<tk::callbacks::LearningRateScheduler>(
      [](int epoch, double /*rate*/) { return 1e-8 * std::pow(10.0, epoch / 20.0); });
  const tk::History history =
      model.fit(training_windows(series, settings),
                {.epochs = settings.sweep_epochs, .verbose = settings.verbose, .callbacks = {schedule}});
  std::vector<std::pair<double, double>> points;
  const auto& losses = history.history.at("loss");
  const auto& rates = history.history.at("learning_rate");
  for (size_t i = 0; i < losses.size(); ++i) points.emplace_back(rates[i], losses[i]);
  return points;
}

double mean_absolute_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().mean().item<double>();
}

int run(const Settings& settings) {
  const torch::Tensor series = make_series(settings.seed);
  // Every validation day with the 20 days before it.
  const torch::Tensor valid = series.narrow(0, kSplit, kDays - kSplit);
  const torch::Tensor valid_windows =
      series.narrow(0, kSplit - kWindow, kDays - kSplit + kWindow - 1).unfold(0, kWindow, 1).contiguous();  // [461, 20]
  const double naive = mean_absolute_error(series.narrow(0, kSplit - 1, kDays - kSplit), valid);
  fmt::print("series: {} days, training on the first {} ({} windows of {}), validating on {}\n", kDays, kSplit,
             kSplit - kWindow, kWindow, kDays - kSplit);
  fmt::print("naive forecast (tomorrow as today): validation MAE {:.3f}\n", naive);

  const std::vector<std::string> kinds = settings.model == "all" ? std::vector<std::string>{"dense", "rnn", "lstm"}
                                                                 : std::vector<std::string>{settings.model};
  for (const std::string& kind : kinds) {
    // Each fit gets a fresh dataset, so that a model's results do not depend on the runs before it.
    const auto points = sweep(kind, series, settings);
    auto best = std::min_element(points.begin(), points.end(), [](const auto& a, const auto& b) {
      // NaN (a diverged run) is never the best.
      return std::isfinite(a.second) && (!std::isfinite(b.second) || a.second < b.second);
    });
    if (best == points.end() || !std::isfinite(best->second)) {
      throw tk::Error(fmt::format("{}: the learning-rate sweep gave no finite loss", kind));
    }
    const double rate = best->first * settings.rate_fraction;
    if (!settings.plot_dir.empty()) {
      std::filesystem::create_directories(settings.plot_dir);
      const auto path = std::filesystem::path(settings.plot_dir) / (kind + "_learning_rate_sweep.svg");
      write_sweep_svg(path, points, rate,
                      fmt::format("{}: loss against learning rate (dashed: the rate chosen)", kind));
      fmt::print("{}: wrote {}\n", kind, path.string());
    }

    tk::utils::set_random_seed(settings.seed);
    tk::Sequential model = make_model(kind);
    compile(model, rate);
    const tk::History history =
        model.fit(training_windows(series, settings), {.epochs = settings.epochs, .verbose = settings.verbose});
    const torch::Tensor forecast = model.predict(valid_windows, {.verbose = 0}).reshape({-1});
    fmt::print(
        "{}: lowest sweep loss {:.3f} at rate {:.3g}; trained {} epochs at {:.3g} (final loss {:.3f}); "
        "validation MAE {:.3f}\n",
        kind, best->second, best->first, settings.epochs, rate, history.history.at("loss").back(),
        mean_absolute_error(forecast, valid));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"The courses' time-series part: a learning-rate sweep, then a forecast, for three models."};
  app.add_option("--model", settings.model, "dense, rnn, lstm or all")
      ->check(CLI::IsMember({"dense", "rnn", "lstm", "all"}))
      ->capture_default_str();
  app.add_option("--epochs", settings.epochs, "epochs of the final training")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--sweep-epochs", settings.sweep_epochs, "epochs of the learning-rate sweep (20 per decade from 1e-8)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "windows per step")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}))
      ->capture_default_str();
  app.add_option("--rate-fraction", settings.rate_fraction,
                 "train at this fraction of the rate where the sweep's loss was lowest")
      ->check(CLI::Range(1e-6, 1.0))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "seed of the noise, the shuffling and the weights")->capture_default_str();
  app.add_option("--plot-dir", settings.plot_dir, "write each sweep's loss against the rate as an SVG here");
  app.add_option("--verbose", settings.verbose, "fit's verbosity: 0, 1 or 2")->check(CLI::Range(0, 2));
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-timeseries: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);
  try {
    return run(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-timeseries: error: {}\n", error.what());
    return 1;
  }
}
