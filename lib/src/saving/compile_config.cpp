// Checking a model file's compile settings.
#include "saving/compile_config.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "losses/serialization.h"
#include "optimizers/serialization.h"
#include "tkeras/core/error.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::saving::config {
namespace {

using nlohmann::json;

// Where a problem is: the file.
struct Where {
  std::string_view path;

  [[noreturn]] void fail(const std::string& problem) const { throw Error(fmt::format("\"{}\": {}", path, problem)); }
};

json parse(std::string_view text, std::string_view what, const Where& where) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) where.fail(fmt::format("{} is not a JSON object", what));
  return parsed;
}

const json& member(const json& object, std::string_view key, const Where& where) {
  const auto found = object.find(key);
  if (found == object.end()) where.fail(fmt::format("expected \"{}\", found none", key));
  return *found;
}

void require(const json& config, std::string_view key, bool (json::*is_type)() const noexcept, std::string_view type,
             const Where& where) {
  const json& value = member(config, key, where);
  if (!(value.*is_type)()) where.fail(fmt::format("expected \"{}\" as {}, received {}", key, type, value.dump()));
}

// compile's metrics: a list of names and Keras's serialized metric objects (each made once, so
// that an unknown class or option is named here).
void check_metrics(const json& metrics, std::string_view what, const metrics::MetricFactories& custom_objects,
                   const Where& where) {
  if (!metrics.is_array()) {
    where.fail(fmt::format("expected {} as a list of names and metrics, received {}", what, metrics.dump()));
  }
  for (const json& metric : metrics) {
    if (metric.is_string() && !custom_objects.contains(metric.get<std::string>())) continue;
    try {
      metrics::deserialize(metric, custom_objects);
    } catch (const Error& error) {
      where.fail(fmt::format("{}: {}", what, error.what()));
    }
  }
}

}  // namespace

nlohmann::json check_compile_config(std::string_view text, std::string_view path, const CustomObjects& custom_objects) {
  const Where where{path};
  const losses::LossFactories custom_losses = loss_factories(custom_objects);
  const metrics::MetricFactories custom_metrics = metric_factories(custom_objects);
  json compile = parse(text, "compile_config", where);
  const json& optimizer = member(compile, "optimizer", where);
  try {
    optimizers::detail::check(optimizer);
  } catch (const Error& error) {  // the optimizer's own check: say which file
    where.fail(error.what());
  }
  const json& loss = member(compile, "loss", where);
  try {
    losses::detail::check(loss, custom_losses);
  } catch (const Error& error) {  // the loss's own check: say which file
    where.fail(error.what());
  }
  check_metrics(member(compile, "metrics", where), "\"metrics\"", custom_metrics, where);
  // Written since weighted metrics exist (null in Keras's own configs); older files have none.
  if (compile.contains("weighted_metrics")) {
    const json& weighted = compile["weighted_metrics"];
    if (weighted.is_null()) {
      compile["weighted_metrics"] = json::array();
    } else {
      check_metrics(weighted, "\"weighted_metrics\"", custom_metrics, where);
    }
  }
  // A model of several outputs: each output's loss, weight and metrics.
  if (compile.contains("outputs")) {
    const json& outputs = compile["outputs"];
    if (!outputs.is_array()) where.fail(fmt::format("expected \"outputs\" as a list, received {}", outputs.dump()));
    for (const json& output : outputs) {
      if (!output.is_object())
        where.fail(fmt::format("expected each of \"outputs\" as an object, received {}", output.dump()));
      require(output, "name", &json::is_string, "a string", where);
      require(output, "weight", &json::is_number, "a number", where);
      for (const char* key : {"metrics", "weighted_metrics"}) {
        check_metrics(member(output, key, where), fmt::format("\"{}\" of an output", key), custom_metrics, where);
      }
      try {
        losses::detail::check(member(output, "loss", where), custom_losses);
      } catch (const Error& error) {
        where.fail(error.what());
      }
    }
  }
  // Written since jit and precision exist; older files have neither.
  if (compile.contains("jit_compile")) require(compile, "jit_compile", &json::is_boolean, "true or false", where);
  if (compile.contains("precision")) require(compile, "precision", &json::is_string, "a string", where);
  return compile;
}

}  // namespace tkeras::saving::config
