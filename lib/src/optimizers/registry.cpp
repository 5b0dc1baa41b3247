// The registry of optimizer classes: a list filled by each class's Registrar when the library loads.
#include "optimizers/registry.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::optimizers::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
std::deque<OptimizerClass>& optimizer_classes() {
  static std::deque<OptimizerClass> all;  // a deque: what find returned stays where it is
  return all;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

void add(OptimizerClass optimizer_class) {
  for (const std::string& name : {optimizer_class.class_name, optimizer_class.name}) {
    if (find(name) != nullptr) throw Error(fmt::format("the optimizer \"{}\" is registered twice", name));
  }
  const std::string made = optimizer_class.from_config(Config::object()).class_name();
  if (made != optimizer_class.class_name) {
    throw Error(fmt::format("the optimizer class registered as \"{}\" makes optimizers of class \"{}\"",
                            optimizer_class.class_name, made));
  }
  optimizer_classes().push_back(std::move(optimizer_class));
}

const OptimizerClass* find(std::string_view name) {
  for (const OptimizerClass& optimizer_class : optimizer_classes()) {
    if (optimizer_class.name == name || optimizer_class.class_name == name) return &optimizer_class;
  }
  return nullptr;
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const OptimizerClass& optimizer_class : optimizer_classes()) all.push_back(optimizer_class.name);
  return sorted(std::move(all));
}

std::vector<std::string> class_names() {
  std::vector<std::string> all;
  for (const OptimizerClass& optimizer_class : optimizer_classes()) all.push_back(optimizer_class.class_name);
  return sorted(std::move(all));
}

}  // namespace tkeras::optimizers::registry
