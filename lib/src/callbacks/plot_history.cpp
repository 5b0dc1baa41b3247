// plot_history: a small hand-written SVG of per-epoch curves, one panel per metric.
#include "tkeras/callbacks/plot_history.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "distribute/joined.h"
#include "tkeras/core/error.h"

namespace tkeras {
namespace {

constexpr const char* kTrainColour = "#1f77b4";
constexpr const char* kValidationColour = "#ff7f0e";

// Whether larger is better for a metric, as EarlyStopping's "auto" mode decides (unknown: lower).
bool higher_is_better(const std::string& metric) { return metric == "acc" || metric.ends_with("accuracy"); }

// About five round tick values covering [low, high].
std::vector<double> nice_ticks(double low, double high) {
  if (high - low < 1e-12) {
    low -= 0.5;
    high += 0.5;
  }
  const double raw = (high - low) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double residual = raw / magnitude;
  const double step = magnitude * (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1);
  std::vector<double> ticks;
  for (double t = std::floor(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push_back(t);
  if (ticks.front() > low) ticks.insert(ticks.begin(), ticks.front() - step);
  if (ticks.back() < high) ticks.push_back(ticks.back() + step);
  return ticks;
}

std::string polyline(const std::vector<double>& xs, const std::vector<double>& ys, const char* colour, bool dashed,
                     const std::string& cls) {
  std::string points;
  for (size_t i = 0; i < xs.size(); ++i) points += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "" : " ", xs[i], ys[i]);
  return fmt::format("<polyline class=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>\n", cls,
                     colour, dashed ? " stroke-dasharray=\"6,3\"" : "", points);
}

}  // namespace

std::string plot_history(const History& history, const std::filesystem::path& path, const PlotHistoryOptions& options) {
  if (history.epoch.empty()) throw Error("plot_history: expected a history with at least one epoch, received none");
  for (const std::string& metric : options.metrics) {
    if (!history.history.contains(metric)) {
      std::string keys;
      for (const auto& [key, values] : history.history) keys += (keys.empty() ? "" : ", ") + key;
      throw Error(fmt::format("plot_history: no \"{}\" in the history; it has: {}", metric, keys));
    }
  }
  const int width = options.panel_width;
  const int height = options.panel_height;
  const double left = 64, right = 16, top = 36, bottom = 48;
  const double plot_w = width - left - right;
  const double plot_h = height - top - bottom;
  const auto panels = static_cast<int>(options.metrics.size());

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width * panels, height, width * panels, height);

  const std::vector<int>& epochs = history.epoch;
  const double first = epochs.front();
  const double last = std::max<double>(epochs.back(), first + 1);
  for (int p = 0; p < panels; ++p) {
    const std::string& metric = options.metrics[static_cast<size_t>(p)];
    const std::vector<double>& train = history.history.at(metric);
    const auto val_it = history.history.find("val_" + metric);
    const std::vector<double>* validation = val_it != history.history.end() ? &val_it->second : nullptr;

    double low = *std::min_element(train.begin(), train.end());
    double high = *std::max_element(train.begin(), train.end());
    if (validation != nullptr) {
      low = std::min(low, *std::min_element(validation->begin(), validation->end()));
      high = std::max(high, *std::max_element(validation->begin(), validation->end()));
    }
    const std::vector<double> ticks = nice_ticks(low, high);
    const double y_low = ticks.front(), y_high = ticks.back();
    const double x0 = p * width + left;
    auto px = [&](double epoch) { return x0 + (epoch - first) / (last - first) * plot_w; };
    auto py = [&](double value) { return top + (1.0 - (value - y_low) / (y_high - y_low)) * plot_h; };

    svg += fmt::format("<g class=\"panel\" id=\"panel-{}\">\n", metric);
    svg +=
        fmt::format("<text class=\"title\" x=\"{:.1f}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
                    x0 + plot_w / 2, metric);
    // Axes, grid and ticks.
    svg += fmt::format(
        "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>\n", x0,
        top, top + plot_h);
    svg += fmt::format(
        "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>\n", x0,
        x0 + plot_w, top + plot_h);
    for (double tick : ticks) {
      svg += fmt::format(
          "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
          "<text class=\"ytick\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.4g}</text>\n",
          x0, x0 + plot_w, py(tick), x0 - 6, py(tick) + 4, tick);
    }
    const int span = epochs.back() - epochs.front() + 1;
    const int every = std::max(1, (span + 9) / 10);
    for (int e = epochs.front(); e <= epochs.back(); e += every) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>"
          "<text class=\"xtick\" x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
          px(e), top + plot_h, top + plot_h + 5, top + plot_h + 18, e + 1);
    }
    svg += fmt::format("<text class=\"xlabel\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">epoch</text>\n",
                       x0 + plot_w / 2, height - 8);
    svg += fmt::format(
        "<text class=\"ylabel\" transform=\"translate({:.1f},{:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
        x0 - 48, top + plot_h / 2, metric);

    // Curves.
    std::vector<double> xs, train_ys;
    for (size_t i = 0; i < epochs.size(); ++i) {
      xs.push_back(px(epochs[i]));
      train_ys.push_back(py(train[i]));
    }
    svg += polyline(xs, train_ys, kTrainColour, false, "train");
    if (validation != nullptr) {
      std::vector<double> val_ys;
      for (double v : *validation) val_ys.push_back(py(v));
      svg += polyline(xs, val_ys, kValidationColour, true, "validation");
      const auto best = higher_is_better(metric) ? std::max_element(validation->begin(), validation->end())
                                                 : std::min_element(validation->begin(), validation->end());
      const auto index = static_cast<size_t>(best - validation->begin());
      svg += fmt::format(
          "<circle class=\"best\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>"
          "<text class=\"best-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">best val_{}: epoch {}</text>\n",
          xs[index], val_ys[index], kValidationColour, xs[index], val_ys[index] - 10, metric, epochs[index] + 1);
    }
    // Legend.
    const double lx = x0 + plot_w - 120, ly = top + 8;
    svg += fmt::format(
        "<g class=\"legend\"><line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"2\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\">training</text>",
        lx, ly, lx + 24, kTrainColour, lx + 30, ly + 4);
    if (validation != nullptr) {
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" stroke-width=\"2\" "
          "stroke-dasharray=\"6,3\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\">validation</text>",
          lx, ly + 18, lx + 24, kValidationColour, lx + 30, ly + 22);
    }
    svg += "</g>\n</g>\n";
  }
  svg += "</svg>\n";

  // Data-parallel: every process has the same history; rank 0 writes the file.
  if (!distribute::detail::writes_files()) return svg;
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw Error(fmt::format("plot_history: cannot open \"{}\" for writing", path.string()));
  out << svg;
  if (!out.flush()) throw Error(fmt::format("plot_history: could not write \"{}\"", path.string()));
  return svg;
}

}  // namespace tkeras
