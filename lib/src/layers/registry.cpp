// The registry of layer classes: a map filled by each class's Registrar when the library loads.
#include "layers/registry.h"

#include <map>

#include <fmt/format.h>

#include "tkeras/core/error.h"

namespace tkeras::layers::registry {
namespace {

// Made on first use, so that a Registrar in any source may run before or after any other.
std::map<std::string, LayerClass, std::less<>>& classes() {
  static std::map<std::string, LayerClass, std::less<>> all;
  return all;
}

std::map<std::type_index, Copy>& copies() {
  static std::map<std::type_index, Copy> all;
  return all;
}

}  // namespace

void add(LayerClass layer_class) {
  const std::string name = layer_class.name;
  if (!classes().emplace(name, std::move(layer_class)).second) {
    throw Error(fmt::format("the layer class \"{}\" is registered twice", name));
  }
}

void add_copy(std::type_index type, Copy copy) { copies().emplace(type, copy); }

std::shared_ptr<Layer> copy(const Layer& layer) {
  const auto found = copies().find(typeid(layer));
  return found == copies().end() ? nullptr : found->second(layer);
}

const LayerClass* find(std::string_view name) {
  const auto found = classes().find(name);
  return found == classes().end() ? nullptr : &found->second;
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const auto& [name, layer_class] : classes()) all.push_back(name);
  return all;
}

}  // namespace tkeras::layers::registry
