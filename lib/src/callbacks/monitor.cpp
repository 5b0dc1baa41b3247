// Keras's "auto" mode: the direction in which a metric improves.
#include "callbacks/monitor.h"

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::callbacks {

bool improves_upwards(std::string_view callback, std::string_view monitor, std::string_view mode) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode != "auto") {
    throw Error(fmt::format("{}: expected mode \"auto\", \"min\" or \"max\", received \"{}\"", callback, mode));
  }
  std::string_view metric = monitor;
  if (metric.starts_with("val_")) metric.remove_prefix(4);
  if (metric == "acc" || metric.ends_with("accuracy")) return true;
  if (metric == "loss" || metric == "mse" || metric == "mae" || metric.ends_with("_error") ||
      metric.ends_with("crossentropy")) {
    return false;
  }
  throw Error(fmt::format("{}: cannot tell whether \"{}\" should go up or down; pass mode \"max\" or \"min\"", callback,
                          monitor));
}

}  // namespace tkeras::callbacks
