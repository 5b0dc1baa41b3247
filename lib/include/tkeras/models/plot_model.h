// plot_model: a model's graph drawn by Graphviz, as Keras's keras.utils.plot_model.
#pragma once

#include <string>

#include "tkeras/models/model.h"

namespace tkeras {

/// The keyword arguments of `plot_model`, as Keras's.
struct PlotModelOptions {
  bool show_shapes = false;             ///< Each layer's input and output shapes. Default: false.
  bool show_layer_names = true;         ///< Each layer's name beside its class. Default: true.
  bool show_layer_activations = false;  ///< The activation of layers that have one. Default: false.
  bool show_trainable = false;          ///< Whether each layer with weights trains. Default: false.
  std::string rankdir = "TB";           ///< Graphviz's direction: `TB` (top down) or `LR`. Default: `TB`.
  int dpi = 200;                        ///< The picture's resolution. Default: 200.
};

/// The model's graph in Graphviz's DOT language, as Keras's `model_to_dot`: one node per layer (a
/// table of its name and class, and what `options` ask), one edge per tensor a layer reads.
std::string model_to_dot(const Model& model, const PlotModelOptions& options = {});

/// Draws the model's graph into `path`, as Keras's `plot_model`: a `.dot` file holds the DOT
/// text; `.svg`, `.png`, `.pdf` and `.jpg` are drawn by Graphviz's `dot` program (Debian's
/// `graphviz` package), as Keras draws them. Throws `tkeras::Error` for another extension, when
/// `dot` cannot be run (saying to install graphviz or write a `.dot`), or when it fails.
///
/// Example:
/// ```
/// tkeras::plot_model(model, "model.svg", {.show_shapes = true});
/// ```
void plot_model(const Model& model, const std::string& path, const PlotModelOptions& options = {});

}  // namespace tkeras
