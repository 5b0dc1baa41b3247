// The Metric base (variables, reset, config), Identifier, and Keras's get/serialize/deserialize.
#include "tkeras/metrics/metric.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/metrics/reduction.h"

namespace tkeras::metrics {

Metric::Metric(std::string name) : name_(std::move(name)) {}

Metric::Metric(const Metric& other) : name_(other.name_), variable_names_(other.variable_names_) {
  variables_.reserve(other.variables_.size());
  for (const torch::Tensor& value : other.variables_) variables_.push_back(value.clone());
}

Metric& Metric::operator=(const Metric& other) {
  if (this == &other) return *this;
  name_ = other.name_;
  variable_names_ = other.variable_names_;
  variables_.clear();
  for (const torch::Tensor& value : other.variables_) variables_.push_back(value.clone());
  return *this;
}

void Metric::reset_state() {
  for (torch::Tensor& value : variables_) value.zero_();
}

Config Metric::get_config() const {
  Config config = {{"name", name_}, {"dtype", "float32"}};
  const Config options = config_options();  // named: items() of a temporary would dangle
  for (const auto& [key, value] : options.items()) config[key] = value;
  return config;
}

Config Metric::config_options() const { return Config::object(); }

void Metric::to(torch::Device device) {
  for (torch::Tensor& value : variables_) {
    if (value.device() != device) value = value.to(device);
  }
}

torch::Tensor Metric::result_of(const std::vector<torch::Tensor>& values) {
  if (values.size() != variables_.size()) {
    throw Error(fmt::format("{}: expected {} variable values, received {}", name_, variables_.size(), values.size()));
  }
  std::vector<torch::Tensor> own = values;
  variables_.swap(own);
  torch::Tensor result;
  try {
    result = this->result();
  } catch (...) {
    variables_.swap(own);
    throw;
  }
  variables_.swap(own);
  return result;
}

size_t Metric::add_variable(std::string name, const Shape& shape, torch::Device device) {
  variables_.push_back(torch::zeros(shape, torch::TensorOptions().dtype(torch::kFloat64).device(device)));
  variable_names_.push_back(std::move(name));
  return variables_.size() - 1;
}

const std::string& Identifier::name() const { return metric_ == nullptr ? name_ : metric_->name(); }

void Identifier::check() const {
  if (metric_ == nullptr) throw Error("compile: expected a metric or a metric's name, received a null metric");
}

namespace {

// Keras's serialized metric: its class's registration, and its config.
std::shared_ptr<Metric> make(const registry::MetricClass& metric_class, const Config& config) {
  std::shared_ptr<Metric> metric = metric_class.from_config(config);
  if (const auto name = config.find("name"); name != config.end()) {
    if (!name->is_string()) {
      throw Error(fmt::format("{}: expected name as a string, received {}", metric_class.class_name, name->dump()));
    }
    metric->set_name(name->get<std::string>());
  }
  return metric;
}

}  // namespace

std::shared_ptr<Metric> get(std::string_view name) {
  const registry::MetricClass* found = registry::find(name);
  if (found == nullptr) {
    throw Error(fmt::format("compile: unknown metric \"{}\"; expected accuracy, acc or one of: {}", name,
                            fmt::join(names(), ", ")));
  }
  std::shared_ptr<Metric> metric = make(*found, Config::object());
  metric->set_name(std::string(name));
  return metric;
}

namespace detail {

const MetricFactory* custom(const MetricFactories& custom_objects, const Config& key) {
  if (!key.is_string()) return nullptr;
  const auto found = custom_objects.find(key.get<std::string>());
  return found == custom_objects.end() ? nullptr : &found->second;
}

}  // namespace detail

using detail::custom;

std::shared_ptr<Metric> MetricFactory::operator()(const Config& config) const {
  const auto name = config.find("name");
  if (name != config.end() && !name->is_string()) {
    throw Error(fmt::format("expected a metric's \"name\" as a string, received {}", name->dump()));
  }
  if (function_) {
    if (name == config.end()) throw Error("expected a function metric's \"name\", received none");
    return wrapping(name->get<std::string>(), name->get<std::string>());
  }
  std::shared_ptr<Metric> metric = make_(config);
  if (metric == nullptr) throw Error("a custom_objects metric factory returned null");
  if (name != config.end()) metric->set_name(name->get<std::string>());
  return metric;
}

std::shared_ptr<Metric> MetricFactory::wrapping(const std::string& name, const std::string& function_name) const {
  if (function_) return std::make_shared<MeanMetricWrapper>(function_, name, function_name);
  return (*this)({{"name", name}});
}

std::shared_ptr<Metric> deserialize(const Config& config, const MetricFactories& custom_objects) {
  if (config.is_string()) {
    if (const MetricFactory* factory = custom(custom_objects, config)) {
      return factory->wrapping(config.get<std::string>(), config.get<std::string>());
    }
    return get(config.get<std::string>());
  }
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw Error(fmt::format("expected a metric as a name or {{\"class_name\": ..., \"config\": ...}}, received {}",
                            config.dump().substr(0, 200)));
  }
  for (const auto& [key, value] : config.items()) {
    if (key != "class_name" && key != "config" && key != "module" && key != "registered_name" &&
        key != "shared_object_id") {
      throw Error(fmt::format(
          "a serialized metric has class_name, config, module, registered_name and shared_object_id, not {}", key));
    }
  }
  const auto class_name = config["class_name"].get<std::string>();
  const Config options = config.value("config", Config::object());
  // A function: by its name (one of one's own, or one of Keras's, as `metrics=[keras.metrics.mse]`).
  if (class_name == "function") {
    if (!options.is_string()) {
      throw Error(fmt::format("expected a metric function's config as its name, received {}", options.dump()));
    }
    const std::string name = options.get<std::string>();
    if (custom(custom_objects, options) == nullptr && registry::find(name) == nullptr) {
      throw Error(
          fmt::format("the metric function \"{}\" is not one of Keras's; a function of one's own needs a "
                      "factory in load_model's custom_objects, under \"{}\"",
                      name, name));
    }
    return deserialize(options, custom_objects);
  }
  if (!options.is_object()) {
    throw Error(fmt::format("{}: expected the metric's config as an object, received {}", class_name, options.dump()));
  }
  if (detail::is_wrapper_object(class_name, options)) return detail::wrapper_from_keras(options, custom_objects);
  const MetricFactory* factory = custom(custom_objects, config.value("registered_name", Config()));
  if (factory == nullptr) factory = custom(custom_objects, config["class_name"]);
  if (factory != nullptr) return (*factory)(options);
  const registry::MetricClass* found = registry::find(class_name);
  if (found == nullptr || found->class_name != class_name) {
    throw Error(
        fmt::format("unknown metric class \"{}\" (a metric of one's own needs a factory in load_model's "
                    "custom_objects, under its class name)",
                    class_name));
  }
  return make(*found, options);
}

Config serialize(const Metric& metric) {
  const std::string class_name = metric.class_name();
  const registry::MetricClass* found = registry::find(class_name);
  if (found != nullptr && found->class_name == class_name) {
    return {{"module", "keras.metrics"},
            {"class_name", class_name},
            {"config", metric.get_config()},
            {"registered_name", nullptr}};
  }
  if (std::optional<Config> wrapper = detail::wrapper_object(metric)) return *wrapper;
  return {{"module", nullptr},
          {"class_name", class_name},
          {"config", metric.get_config()},
          {"registered_name", class_name}};
}

std::shared_ptr<Metric> fresh_copy(const Metric& metric) {
  const std::string class_name = metric.class_name();
  const registry::MetricClass* found = registry::find(class_name);
  if (found == nullptr || found->class_name != class_name) {
    throw Error(fmt::format("the metric \"{}\" is of class {}, a metric of one's own, which tkeras cannot copy",
                            metric.name(), class_name));
  }
  return deserialize(serialize(metric));
}

std::vector<std::string> names() { return registry::names(); }

}  // namespace tkeras::metrics
