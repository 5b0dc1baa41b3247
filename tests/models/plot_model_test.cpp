// Tests for plot_model: the DOT text of a model's graph, and the picture Graphviz draws from it.
#include "tkeras/models/plot_model.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/add.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

namespace {

// A skip connection: input -> dense -> add(dense, input).
tkeras::Model skip_model() {
  tkeras::KerasTensor input = tkeras::Input({4}, {.name = "x"});
  tkeras::KerasTensor hidden = layers::Dense(4, "relu", {.name = "hidden"})(input);
  return tkeras::Model(input, layers::Add({.name = "skip"})({hidden, input}), {.name = "skipper"});
}

}  // namespace

TEST_CASE("model_to_dot draws one node per layer and one edge per tensor a layer reads") {
  const tkeras::Model model = skip_model();
  const std::string dot = tkeras::model_to_dot(model, {.show_shapes = true, .show_layer_activations = true});
  CHECK(dot.starts_with("digraph \"skipper\" {"));
  CHECK(dot.find("<b>x</b> (InputLayer)") != std::string::npos);
  CHECK(dot.find("<b>hidden</b> (Dense)") != std::string::npos);
  CHECK(dot.find("Activation: <b>relu</b>") != std::string::npos);
  CHECK(dot.find("Input shape: <b>[(None, 4), (None, 4)]</b>") != std::string::npos);
  CHECK(dot.find("Output shape: <b>(None, 4)</b>") != std::string::npos);
  // x -> hidden, x -> skip, hidden -> skip.
  CHECK(dot.find("layer_0 -> layer_1") != std::string::npos);
  CHECK(dot.find("layer_0 -> layer_2") != std::string::npos);
  CHECK(dot.find("layer_1 -> layer_2") != std::string::npos);
}

TEST_CASE("a Sequential is drawn as a chain") {
  tkeras::Sequential model({layers::Input({2, 3}), layers::Flatten(), layers::Dense(2)});
  const std::string dot = tkeras::model_to_dot(model);
  CHECK(dot.find("layer_0 -> layer_1") != std::string::npos);
  CHECK(dot.find("layer_1 -> layer_2") == std::string::npos);
}

TEST_CASE("plot_model writes DOT, or an SVG drawn by Graphviz, and refuses other files") {
  const tkeras::testing::TempDir dir;
  const tkeras::Model model = skip_model();
  const auto dot_path = (dir.path() / "model.dot").string();
  tkeras::plot_model(model, dot_path);
  CHECK(tkeras::testing::read_bytes(dot_path) == tkeras::model_to_dot(model));
  const auto svg_path = (dir.path() / "model.svg").string();
  tkeras::plot_model(model, svg_path, {.show_shapes = true});
  const std::string svg = tkeras::testing::read_bytes(svg_path);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("hidden") != std::string::npos);
  CHECK_THROWS_WITH_AS(tkeras::plot_model(model, (dir.path() / "model.txt").string()),
                       doctest::Contains("expected a file ending in .dot, .svg, .png, .pdf or .jpg"), tkeras::Error);
}
