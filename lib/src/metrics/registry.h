// The metric classes compile and the model files can name: each class registers itself from its
// own source, as Keras's register_keras_serializable (internal).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/options_reader.h"
#include "tkeras/core/config.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::metrics::registry {

/// The reader of a metric's options: each read marks its key, and `done` names the first key no
/// read asked for (`name` and `dtype` are read by `MetricClass::from_config`'s caller).
using OptionsReader = tkeras::detail::OptionsReader;

/// What tkeras knows about a metric class before it has an instance.
struct MetricClass {
  std::string class_name;            ///< Keras's class name: `MeanSquaredError`.
  std::string name;                  ///< Keras's to_snake_case of the class name: `mean_squared_error`.
  std::vector<std::string> aliases;  ///< Keras's other names for it: `mse`, `MSE`.
  /// Makes one from its options (`Metric::config_options()`'s keys; `name` and `dtype` may be
  /// there too): reads them with an OptionsReader and calls its `done()`.
  std::function<std::shared_ptr<Metric>(const Config&)> from_config;
};

/// Adds a class. Throws `tkeras::Error` for a name registered twice.
void add(MetricClass metric_class);
/// The class whose name, alias or class name is `name`, or null.
const MetricClass* find(std::string_view name);
/// Every registered name and alias, sorted.
std::vector<std::string> names();

/// Registers a metric class when the library loads: one per class, at namespace scope in the
/// class's own source.
class Registrar {
 public:
  explicit Registrar(MetricClass metric_class) { add(std::move(metric_class)); }
};

/// A class whose only options are `name` and `dtype`: `M(name)` makes one.
template <typename M>
MetricClass plain(const char* class_name, const char* name, std::vector<std::string> aliases = {}) {
  return {.class_name = class_name,
          .name = name,
          .aliases = std::move(aliases),
          .from_config = [class_name](const Config& config) -> std::shared_ptr<Metric> {
            OptionsReader read(config, class_name);
            read.done();
            return std::make_shared<M>();
          }};
}

}  // namespace tkeras::metrics::registry
