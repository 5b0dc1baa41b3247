// The registry of metric classes, filled by each class's Registrar when the library loads, and the
// reader of their options.
#include "metrics/registry.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::metrics::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
std::deque<MetricClass>& metric_classes() {
  static std::deque<MetricClass> all;  // a deque: what find returned stays where it is
  return all;
}

}  // namespace

void add(MetricClass metric_class) {
  std::vector<std::string> all = metric_class.aliases;
  all.push_back(metric_class.class_name);
  all.push_back(metric_class.name);
  for (const std::string& name : all) {
    if (find(name) != nullptr) throw Error(fmt::format("the metric \"{}\" is registered twice", name));
  }
  metric_classes().push_back(std::move(metric_class));
}

const MetricClass* find(std::string_view name) {
  for (const MetricClass& metric_class : metric_classes()) {
    if (metric_class.name == name || metric_class.class_name == name ||
        std::find(metric_class.aliases.begin(), metric_class.aliases.end(), name) != metric_class.aliases.end()) {
      return &metric_class;
    }
  }
  return nullptr;
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const MetricClass& metric_class : metric_classes()) {
    all.push_back(metric_class.name);
    all.insert(all.end(), metric_class.aliases.begin(), metric_class.aliases.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace tkeras::metrics::registry
