// plot_history: training curves as an SVG file, to watch the loss and spot overfitting.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tkeras/training/history.h"

namespace tkeras {

/// plot_history's options.
struct PlotHistoryOptions {
  std::vector<std::string> metrics = {"loss"};  ///< One panel per metric, side by side. Default: {"loss"}.
  int panel_width = 480;                        ///< Pixels per panel. Default: 480.
  int panel_height = 360;                       ///< Pixels. Default: 360.
};

/// Writes the training curves of `history` to an SVG file at `path`: one panel per metric with
/// the training values and, when the history has them, the `val_` values per epoch; axes with
/// ticks and labels, a legend, and the epoch of the best validation value marked (lowest for
/// losses and errors, highest for accuracies). Returns the SVG text. In a data-parallel job
/// (`DataParallel`) only rank 0 writes the file; every process gets the text.
///
/// Throws `tkeras::Error` for an empty history, a metric the history lacks (listing the ones it
/// has), or a file that cannot be written.
///
/// Example:
/// ```
/// tkeras::History history = model.fit(x, y, {.epochs = 30, .validation_split = 0.1});
/// tkeras::plot_history(history, "history.svg", {.metrics = {"loss", "accuracy"}});
/// ```
std::string plot_history(const History& history, const std::filesystem::path& path,
                         const PlotHistoryOptions& options = {});

}  // namespace tkeras
