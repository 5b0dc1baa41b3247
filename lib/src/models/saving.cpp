// save_weights and load_weights: the model's weights as a safetensors file.
#include <map>

#include <fmt/format.h>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "models/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/models/model.h"

namespace tkeras {
namespace {

// The layer's base name without the process-wide counter: `dense_7` -> `dense`.
std::string base_name(const std::string& name) {
  const size_t underscore = name.rfind('_');
  if (underscore == std::string::npos || underscore + 1 == name.size()) return name;
  for (size_t i = underscore + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return name;
  }
  return name.substr(0, underscore);
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> Model::named_weights() const {
  // As Keras 3's saving: layers are named within the model, by kind and position (`dense`,
  // `dense_1`, ...), not by their process-wide names, so that a model built again in another
  // program (where the counters differ) finds its weights.
  io::NamedTensors named;
  std::map<std::string, int> seen;
  for (const auto& layer : summary_layers()) {
    const std::string base = base_name(layer->name());
    const int index = seen[base]++;
    const std::string prefix = index == 0 ? base : fmt::format("{}_{}", base, index);
    for (const layers::Weight& weight : layer->weights()) {
      named.emplace_back(fmt::format("{}.{}", prefix, weight.name), weight.value);
    }
  }
  return named;
}

void Model::save_weights(const std::string& path) const {
  if (!built()) {
    throw Error(fmt::format("{} \"{}\": save_weights(\"{}\") needs a built model (call build or fit first)",
                            class_name(), name(), path));
  }
  io::save_safetensors(path, named_weights(),
                       {{"format", "tkeras.weights"},
                        {"tkeras_version", TKERAS_VERSION},
                        {"layout", "Keras: Dense kernel [inputs, units]; Conv2D kernel [height, width, "
                                   "in_channels, filters]"}});
}

void Model::load_weights(const std::string& path) {
  if (!built()) {
    throw Error(fmt::format("{} \"{}\": load_weights(\"{}\") needs a built model (call build first)", class_name(),
                            name(), path));
  }
  const io::SafetensorsFile file = io::load_safetensors(path);
  const io::NamedTensors ours = named_weights();
  // Check everything before changing anything, so that a bad file leaves the model as it was.
  models::detail::check_weights(*this, ours, file.tensors, path);
  models::detail::copy_weights(ours, file.tensors);
}

}  // namespace tkeras
