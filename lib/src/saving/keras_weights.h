// Keras 3's weights file (.weights.h5): where each weight of a model lives in it (internal).
#pragma once

#include <map>
#include <string>

#include "io/safetensors.h"
#include "tkeras/models/model.h"

namespace tkeras::saving::detail {

/// The layout of a model's weights in Keras 3's weights file, as Keras's saving_lib walks a model:
/// a layer's variables in `<path>/vars/<i>` (a recurrent layer's in `<path>/cell/vars/<i>`), a
/// model's layers at `<path>/layers/<name>` and a wrapper's (Bidirectional's) at
/// `<path>/<forward_layer|backward_layer>`, the names within a model being the snake_case class
/// with a counter per class (`dense`, `dense_1`), as tkeras names them too.
struct KerasWeightsLayout {
  std::map<std::string, std::string> path_of;      ///< tkeras's weight name -> dataset path.
  std::map<std::string, std::string> group_names;  ///< `.../vars` group -> its layer's name.
};

/// The layout of `model`'s weights. Throws `tkeras::Error` for a layer Keras's file cannot hold
/// (a `TorchModule`, whose state Keras pickles).
KerasWeightsLayout keras_weights_layout(const Model& model);

/// The bytes of `model`'s weights as Keras 3's `model.weights.h5`, with `extra` datasets (the
/// optimizer's variables, `optimizer/vars/<i>`) and `extra_groups`' name attributes added.
std::string keras_weights_file(const Model& model, const io::NamedTensors& extra = {},
                               const std::map<std::string, std::string>& extra_groups = {});

/// The weights in Keras 3's weights file `bytes`, by tkeras's names, checked against the model's
/// layout: throws `tkeras::Error` naming `what` and the dataset for a dataset the model has no
/// weight for, or a weight the file lacks. The optimizer's variables (`optimizer/...`) are left
/// out, or put in `optimizer_variables` by path when it is given.
io::NamedTensors read_keras_weights(const Model& model, std::string_view bytes, const std::string& what,
                                    io::NamedTensors* optimizer_variables = nullptr);

}  // namespace tkeras::saving::detail
