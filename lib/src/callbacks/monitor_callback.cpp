// MonitorCallback: Keras's "auto" direction, the improvement test and the missing-value warning.
#include "tkeras/callbacks/monitor_callback.h"

#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::callbacks {
namespace {

bool upwards_for(std::string_view callback, std::string_view monitor, std::string_view mode) {
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

}  // namespace

MonitorCallback::MonitorCallback(std::string callback, std::string monitor, std::string_view mode, double min_delta)
    : callback_(std::move(callback)),
      monitor_(std::move(monitor)),
      upwards_(upwards_for(callback_, monitor_, mode)),
      min_delta_(std::abs(min_delta)) {}

bool MonitorCallback::is_improvement(double value, std::optional<double> reference) const {
  if (!reference) return true;
  return upwards_ ? value - min_delta_ > *reference : value + min_delta_ < *reference;
}

std::optional<double> MonitorCallback::monitor_value(const Logs& logs, std::string_view what) const {
  const auto found = logs.find(monitor_);
  if (found != logs.end()) return found->second;
  std::string keys;
  for (const auto& [key, value] : logs) keys += (keys.empty() ? "" : ",") + key;
  std::cerr << fmt::format("{}: warning: {} on metric \"{}\" which is not available. Available metrics are: {}\n",
                           callback_, what, monitor_, keys);
  return std::nullopt;
}

}  // namespace tkeras::callbacks
