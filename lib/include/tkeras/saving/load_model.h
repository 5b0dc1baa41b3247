// load_model: a whole model back from the file `Model::save` wrote, as Keras's load_model.
#pragma once

#include <memory>
#include <string>

#include "tkeras/models/model.h"
#include "tkeras/saving/custom_objects.h"

namespace tkeras::models {

/// The keyword arguments of `load_model`.
struct LoadModelOptions {
  /// Compile the model with the saved optimizer, loss and metrics, and restore the optimizer's
  /// state, as Keras's `compile=True`. Default: true.
  bool compile = true;
  /// The device to compile for (see `CompileOptions::device`). Default: "auto".
  std::string device = "auto";
  /// Factories for what a file names but cannot hold, as Keras's `custom_objects`: a
  /// `TorchModule` under its module's type (`{"MyBlock", make_block}`), a `Lambda` under its
  /// name, a loss or metric of one's own under its class or function name (see
  /// `saving::CustomObject`). Default: none.
  saving::CustomObjects custom_objects;
};

/// Rebuilds the model `Model::save` wrote to `path`: the layers with their options, names and
/// `trainable` flags (models inside the model too), built for the saved input shape, with the
/// saved weights; compiled with the saved settings and the optimizer state restored (when the
/// model was compiled and `options.compile` is true), so that `predict` gives the same outputs
/// and `fit` goes on where training stopped. No user code is needed, except a factory in
/// `custom_objects` for each layer that holds C++ code (`TorchModule`, `Lambda`).
///
/// The whole file is checked before any weight is allocated: the safetensors layout, the format
/// and its version, each layer's class and options (each rebuilt by its own `from_config`), the
/// shapes through the model, that the architecture's weights are exactly the file's tensors
/// (names, shapes, dtypes: the model is first built on LibTorch's meta device, which allocates
/// nothing), and the optimizer's state. Throws `tkeras::Error` naming the file and the problem.
///
/// A Keras 3 `.keras` file (known by its zip signature), written by Keras's `model.save` or by
/// tkeras's, loads the same way, its optimizer's variables included. The archive is checked
/// before any entry is read (names inside it, sizes against a zip bomb), and every Keras option
/// tkeras does not honour (a regularizer, `channels_first`, dilation, recurrent dropout, a dtype
/// policy other than float32, a learning-rate schedule...) is an error naming the layer and the
/// option.
///
/// Example:
/// ```
/// std::shared_ptr<tkeras::Model> model = tkeras::models::load_model("digits.tkeras");
/// torch::Tensor probabilities = model->predict(x_test);
/// ```
std::shared_ptr<Model> load_model(const std::string& path, const LoadModelOptions& options = {});

}  // namespace tkeras::models
