// save_weights and load_weights: the model's weights as a safetensors file.
#include <fmt/format.h>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "models/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/models/model.h"

namespace tkeras {

void Model::save_weights(const std::string& path) const {
  if (!built()) {
    throw Error(fmt::format("{} \"{}\": save_weights(\"{}\") needs a built model (call build or fit first)",
                            class_name(), name(), path));
  }
  io::save_safetensors(path, named_weights(),
                       {{"format", "tkeras.weights"},
                        {"tkeras_version", TKERAS_VERSION},
                        {"layout",
                         "Keras: Dense kernel [inputs, units]; Conv2D kernel [height, width, "
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
