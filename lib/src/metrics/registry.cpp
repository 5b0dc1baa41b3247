// The registry of metric classes, filled by each class's Registrar when the library loads.
#include "metrics/registry.h"

#include "core/class_registry.h"

namespace tkeras::metrics::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
tkeras::detail::ClassRegistry<MetricClass>& metric_classes() {
  static tkeras::detail::ClassRegistry<MetricClass> all("metric");
  return all;
}

}  // namespace

void add(MetricClass metric_class) { metric_classes().add(std::move(metric_class)); }

const MetricClass* find(std::string_view name) { return metric_classes().find(name); }

std::vector<std::string> names() { return metric_classes().names(); }

}  // namespace tkeras::metrics::registry
