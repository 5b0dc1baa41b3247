// Keras 3's weights file: the model's weights at the paths Keras's saving_lib gives them.
#include "saving/keras_weights.h"

#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "io/hdf5_file.h"
#include "tkeras/core/error.h"

namespace tkeras::saving::detail {
namespace {

// Where Keras's saving puts each layer's variables: the layer says (its keras_weights_place).
void walk(const layers::Layer& layer, const std::string& prefix, const std::string& path, KerasWeightsLayout& layout) {
  const layers::KerasWeightsPlace place = layer.keras_weights_place();
  // The sublayers are the layer's LibTorch children, under the names its model gave them.
  std::vector<std::pair<std::string, const layers::Layer*>> sublayers;
  for (const auto& child : layer.named_children()) {
    const auto* sublayer = dynamic_cast<const layers::Layer*>(child.value().get());
    if (sublayer == nullptr) {
      throw Error(fmt::format("{} \"{}\": Keras's weights file cannot hold its LibTorch module \"{}\"",
                              layer.class_name(), layer.name(), child.key()));
    }
    sublayers.emplace_back(child.key(), sublayer);
  }
  // named_weights() lists the layer's own weights first, then its sublayers'.
  const auto named = layer.named_weights();
  size_t from_sublayers = 0;
  for (const auto& [name, sublayer] : sublayers) from_sublayers += sublayer->named_weights().size();
  const size_t own = named.size() - from_sublayers;
  const std::string vars = path + "/" + place.vars;
  for (size_t i = 0; i < own; ++i) layout.path_of[prefix + named[i].first] = fmt::format("{}/{}", vars, i);
  if (own > 0) layout.group_names[vars] = place.vars_name;
  for (const auto& [name, sublayer] : sublayers) {
    // A model's layers at <path>/layers/<name>, a wrapper's (Bidirectional's) at <path>/<name>.
    const std::string child = place.sublayers.empty()
                                  ? fmt::format("{}/{}", path, name)
                                  : fmt::format("{}{}{}{}", path, path.empty() ? "" : "/", place.sublayers, name);
    walk(*sublayer, prefix + name + ".", child, layout);
  }
}

}  // namespace

KerasWeightsLayout keras_weights_layout(const Model& model) {
  KerasWeightsLayout layout;
  walk(model, "", "", layout);
  return layout;
}

std::string keras_weights_file(const Model& model, const io::NamedTensors& extra,
                               const std::map<std::string, std::string>& extra_groups) {
  KerasWeightsLayout layout = keras_weights_layout(model);
  io::NamedTensors datasets;
  for (const auto& [name, value] : model.named_weights()) datasets.emplace_back(layout.path_of.at(name), value);
  datasets.insert(datasets.end(), extra.begin(), extra.end());
  layout.group_names.insert(extra_groups.begin(), extra_groups.end());
  return io::write_hdf5(datasets, layout.group_names);
}

io::NamedTensors read_keras_weights(const Model& model, std::string_view bytes, const std::string& what,
                                    io::NamedTensors* optimizer_variables) {
  const KerasWeightsLayout layout = keras_weights_layout(model);
  std::map<std::string, std::string> name_of;
  for (const auto& [name, path] : layout.path_of) name_of.emplace(path, name);
  io::NamedTensors weights;
  std::set<std::string> found;
  for (auto& [path, value] : io::read_hdf5(bytes, what)) {
    if (path.starts_with("optimizer/")) {
      if (optimizer_variables != nullptr) optimizer_variables->emplace_back(path, std::move(value));
      continue;
    }
    const auto known = name_of.find(path);
    if (known == name_of.end()) {
      std::vector<std::string> expected;
      for (const auto& [name, expected_path] : layout.path_of) expected.push_back(expected_path);
      throw Error(
          fmt::format("\"{}\": unexpected dataset \"{}\" for {} \"{}\" (a layer or weight the model does not "
                      "have); expected: {}",
                      what, path, model.class_name(), model.name(), fmt::join(expected, ", ")));
    }
    found.insert(path);
    weights.emplace_back(known->second, std::move(value));
  }
  for (const auto& [name, value] : model.named_weights()) {
    const std::string& path = layout.path_of.at(name);
    if (!found.contains(path)) {
      throw Error(
          fmt::format("\"{}\": no dataset \"{}\" (the weight {}) for {} \"{}\"; the file has {} of the "
                      "model's {} weights",
                      what, path, name, model.class_name(), model.name(), found.size(), layout.path_of.size()));
    }
  }
  return weights;
}

}  // namespace tkeras::saving::detail
