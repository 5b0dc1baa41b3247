// load_model: a whole model back from the file `Model::save` wrote, as Keras's load_model.
#pragma once

#include <memory>
#include <string>

#include "tkeras/models/model.h"

namespace tkeras::models {

/// The keyword arguments of `load_model`.
struct LoadModelOptions {
  /// Compile the model with the saved optimizer, loss and metrics, and restore the optimizer's
  /// state, as Keras's `compile=True`. Default: true.
  bool compile = true;
  /// The device to compile for (see `CompileOptions::device`). Default: "auto".
  std::string device = "auto";
};

/// Rebuilds the model `Model::save` wrote to `path`: the layers with their options, built for the
/// saved input shape, with the saved weights; compiled with the saved settings and the optimizer
/// state restored (when the model was compiled and `options.compile` is true), so that `predict`
/// gives the same outputs and `fit` goes on where training stopped. No user code is needed.
///
/// The whole file is checked before anything is built: the safetensors layout, the format and its
/// version, each layer's class and options, that the architecture's weights are exactly the
/// file's tensors (names, shapes, dtypes), and the optimizer's state. Throws `tkeras::Error`
/// naming the file and the problem.
///
/// Example:
/// ```
/// std::unique_ptr<tkeras::Model> model = tkeras::models::load_model("digits.tkeras");
/// torch::Tensor probabilities = model->predict(x_test);
/// ```
std::unique_ptr<Model> load_model(const std::string& path, const LoadModelOptions& options = {});

}  // namespace tkeras::models
