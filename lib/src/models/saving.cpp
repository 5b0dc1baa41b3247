// save_weights and load_weights: the model's weights as a safetensors file, or as Keras 3's
// .weights.h5.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <torch/torch.h>

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "models/keras_weights.h"
#include "models/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/models/model.h"

namespace tkeras {
namespace {

constexpr std::string_view kHdf5Signature("\x89HDF\r\n\x1a\n", 8);

bool is_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string start(kHdf5Signature.size(), '\0');
  in.read(start.data(), static_cast<std::streamsize>(start.size()));
  return in.gcount() == static_cast<std::streamsize>(start.size()) && start == kHdf5Signature;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open \"{}\": {}", path, std::strerror(errno)));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void Model::save_weights(const std::string& path) const {
  if (!built()) {
    throw Error(fmt::format("{} \"{}\": save_weights(\"{}\") needs a built model (call build or fit first)",
                            class_name(), name(), path));
  }
  if (path.ends_with(".weights.h5")) {
    io::write_file_atomically(path, models::detail::keras_weights_file(*this));
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
  const io::NamedTensors theirs =
      is_hdf5(path) ? models::detail::read_keras_weights(*this, read_whole_file(path), path)
                    : io::load_safetensors(path).tensors;
  // Check everything before changing anything, so that a bad file leaves the model as it was.
  models::detail::check_weights(*this, ours, theirs, path);
  models::detail::copy_weights(ours, theirs);
}

}  // namespace tkeras
