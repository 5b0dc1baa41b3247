// plot_model: the DOT text of a model's graph, and Graphviz's dot to draw it.
#include "tkeras/models/plot_model.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "io/atomic_file.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/input.h"

namespace tkeras {
namespace {

// HTML-like labels take their text escaped.
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string shapes_cell(const std::vector<Shape>& shapes) {
  if (shapes.empty()) return "?";
  if (shapes.size() == 1) return format_batch_shape(shapes.front());
  std::string text = "[";
  for (size_t i = 0; i < shapes.size(); ++i) text += (i > 0 ? ", " : "") + format_batch_shape(shapes[i]);
  return text + "]";
}

// Keras's table: the name and class on black, then the asked-for cells on white.
std::string label(const layers::Layer& layer, const PlotModelOptions& options) {
  const bool input_layer = dynamic_cast<const layers::Input*>(&layer) != nullptr;
  std::vector<std::string> cells;
  if (options.show_shapes) {
    if (!input_layer) {
      const auto nodes = layer.inbound_nodes();
      std::vector<Shape> in;
      if (!nodes.empty()) {
        for (const KerasTensor& tensor : nodes.front()->inputs) in.push_back(tensor.shape());
      } else if (layer.built()) {
        in = layer.input_shapes();
      }
      cells.push_back(fmt::format(R"(<td bgcolor="white"><font point-size="14">Input shape: <b>{}</b></font></td>)",
                                  escape(shapes_cell(in))));
    }
    const auto nodes = layer.inbound_nodes();
    const std::vector<Shape> out = !nodes.empty()  ? nodes.front()->output_shapes
                                   : layer.built() ? std::vector<Shape>{layer.output_shape()}
                                                   : std::vector<Shape>{};
    cells.push_back(fmt::format(R"(<td bgcolor="white"><font point-size="14">Output shape: <b>{}</b></font></td>)",
                                escape(shapes_cell(out))));
  }
  if (options.show_trainable && !layer.weights().empty()) {
    cells.push_back(
        layer.trainable()
            ? R"(<td bgcolor="forestgreen"><font point-size="14" color="white"><b>Trainable</b></font></td>)"
            : R"(<td bgcolor="firebrick"><font point-size="14" color="white"><b>Non-trainable</b></font></td>)");
  }
  const size_t colspan = std::max<size_t>(1, cells.size());
  std::string table = R"(<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">)";
  table += fmt::format(R"(<tr><td colspan="{}" bgcolor="black"><font point-size="16" color="white">)", colspan);
  table += options.show_layer_names ? fmt::format("<b>{}</b> ({})", escape(layer.name()), escape(layer.class_name()))
                                    : fmt::format("<b>{}</b>", escape(layer.class_name()));
  table += "</font></td></tr>";
  if (options.show_layer_activations && layer.activation() != "linear") {
    table += fmt::format(
        R"(<tr><td bgcolor="white" colspan="{}"><font point-size="14">Activation: <b>{}</b></font></td></tr>)", colspan,
        escape(layer.activation()));
  }
  if (!cells.empty()) {
    table += "<tr>";
    for (const std::string& cell : cells) table += cell;
    table += "</tr>";
  }
  return table + "</table>>";
}

}  // namespace

std::string model_to_dot(const Model& model, const PlotModelOptions& options) {
  if (options.rankdir != "TB" && options.rankdir != "LR") {
    throw Error(fmt::format("plot_model: expected rankdir \"TB\" or \"LR\", received \"{}\"", options.rankdir));
  }
  const auto all = model.layers();
  std::map<const layers::Layer*, size_t> id;
  for (const auto& layer : all) id.emplace(layer.get(), id.size());
  std::string dot = fmt::format(
      "digraph \"{}\" {{\n  rankdir={};\n  concentrate=true;\n  dpi={};\n  splines=ortho;\n  node [shape=record];\n",
      model.name(), options.rankdir, options.dpi);
  for (const auto& layer : all) {
    dot += fmt::format("  layer_{} [label={}, fontname=Helvetica, border=0, margin=0];\n", id.at(layer.get()),
                       label(*layer, options));
  }
  std::set<std::pair<size_t, size_t>> edges;
  if (model.functional()) {
    for (const auto& node : model.nodes()) {
      for (const KerasTensor& input : node->inputs) {
        const auto from = id.find(input.layer().get());
        if (from != id.end()) edges.emplace(from->second, id.at(node->layer.get()));
      }
    }
  } else {
    for (size_t i = 0; i + 1 < all.size(); ++i) edges.emplace(i, i + 1);
  }
  for (const auto& [from, to] : edges) dot += fmt::format("  layer_{} -> layer_{} [penwidth=2];\n", from, to);
  return dot + "}\n";
}

void plot_model(const Model& model, const std::string& path, const PlotModelOptions& options) {
  const std::string dot = model_to_dot(model, options);
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".dot") {
    io::write_file_atomically(path, dot);
    return;
  }
  if (extension != ".svg" && extension != ".png" && extension != ".pdf" && extension != ".jpg") {
    throw Error(fmt::format("plot_model(\"{}\"): expected a file ending in .dot, .svg, .png, .pdf or .jpg", path));
  }
  if (path.find('\'') != std::string::npos) {
    throw Error(fmt::format("plot_model(\"{}\"): expected a path without a single quote", path));
  }
  // Graphviz reads the DOT from a file beside the picture and draws it, as Keras's pydot runs it.
  const std::string source = path + ".dot.tmp";
  io::write_file_atomically(source, dot);
  const std::string command = fmt::format("dot -T{} -o '{}' '{}' 2>&1", extension.substr(1), path, source);
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  int status = -1;
  if (pipe != nullptr) {
    char buffer[256];
    while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
    status = pclose(pipe);
  }
  std::error_code ignored;
  std::filesystem::remove(source, ignored);
  if (status != 0) {
    if (output.find("not found") != std::string::npos || status == 127 * 256 || pipe == nullptr) {
      throw Error(
          fmt::format("plot_model(\"{}\"): Graphviz's dot program could not be run; install graphviz (apt "
                      "install graphviz), or write a .dot file",
                      path));
    }
    throw Error(fmt::format("plot_model(\"{}\"): Graphviz's dot failed: {}", path, output));
  }
}

}  // namespace tkeras
