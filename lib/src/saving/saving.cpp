// save_weights and load_weights: the model's weights as a safetensors file, or as Keras 3's
// .weights.h5.
#include <filesystem>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>

#include "io/atomic_file.h"
#include "io/read_file.h"
#include "io/safetensors.h"
#include "saving/keras_weights.h"
#include "saving/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/models/model.h"

namespace tkeras {
namespace {

constexpr std::string_view kHdf5Signature("\x89HDF\r\n\x1a\n", 8);

}  // namespace

void Model::save_weights(const std::string& path) const {
  if (!built()) {
    throw Error(fmt::format("{} \"{}\": save_weights(\"{}\") needs a built model (call build or fit first)",
                            class_name(), name(), path));
  }
  if (path.ends_with(".weights.h5")) {
    io::write_file_atomically(path, saving::detail::keras_weights_file(*this));
    return;
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
  const io::NamedTensors ours = named_weights();
  // Keras's files are HDF5, known by their signature; the rest must be safetensors.
  const std::optional<std::string> hdf5 = io::read_file_with_signature(path, kHdf5Signature);
  const io::NamedTensors theirs =
      hdf5 ? saving::detail::read_keras_weights(*this, *hdf5, path) : io::load_safetensors(path).tensors;
  // Check everything before changing anything, so that a bad file leaves the model as it was.
  saving::detail::check_weights(*this, ours, theirs, path);
  saving::detail::copy_weights(ours, theirs);
}

}  // namespace tkeras
