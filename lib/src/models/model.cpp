// Model: the layer API (layers, get_layer), its device, the optimizer's settings, Keras's summary table.
#include "tkeras/models/model.h"

#include <cmath>

#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "models/graph.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/torch_module.h"
#include "training/compiled_state.h"

namespace tkeras {
namespace {

std::string with_thousands(int64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

// Keras's readable_memory_size: float32 bytes in B, KB, MB or GB (powers of 1024).
std::string memory_size(int64_t params) {
  double size = static_cast<double>(params) * 4.0;
  const char* const units[] = {"B", "KB", "MB", "GB"};
  int unit = 0;
  while (size >= 1024.0 && unit < 3) {
    size /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.2f} {}", size, units[unit]);
}

std::string pad(std::string_view text, size_t width, bool right) {
  // Box-drawing characters are 3 bytes but one column: count code points, not bytes.
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80 ? 1 : 0;
  const std::string fill(columns < width ? width - columns : 0, ' ');
  return right ? fill + std::string(text) : std::string(text) + fill;
}

// A cell's text in lines of at most `width` columns, as Keras's table (rich) wraps it: at spaces,
// and a word longer than the width cut short with an ellipsis on a line of its own.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.size() + 1 + word.size() <= width) {
      line += " " + word;
      continue;
    }
    if (!line.empty()) lines.push_back(line);
    line = word.size() > width ? word.substr(0, width - 1) + "…" : word;
  }
  lines.push_back(line);
  return lines;
}

std::string repeat(std::string_view piece, size_t count) {
  std::string result;
  for (size_t i = 0; i < count; ++i) result += piece;
  return result;
}

// The output shape Keras's summary shows for a layer of a graph: its last call's, a list for several.
std::string node_output_shapes(const layers::Layer& layer) {
  const auto nodes = layer.inbound_nodes();
  if (nodes.empty()) return layer.built() ? format_batch_shape(layer.output_shape()) : "?";
  const auto& shapes = nodes.back()->output_shapes;
  if (shapes.size() == 1) return format_batch_shape(shapes.front());
  std::vector<std::string> texts;
  for (const Shape& shape : shapes) texts.push_back(format_batch_shape(shape));
  return fmt::format("[{}]", fmt::join(texts, ", "));
}

// Keras's "Connected to": every tensor the layer's calls in this model read, as layer[node][tensor].
std::string connections(const models::detail::Graph& graph, const layers::Layer& layer) {
  std::vector<std::string> sources;
  for (const auto& node : layer.inbound_nodes()) {
    if (!graph.owns(node.get())) continue;
    for (const KerasTensor& input : node->inputs) {
      sources.push_back(fmt::format("{}[{}][{}]", input.layer()->name(), input.node_index(), input.tensor_index()));
    }
  }
  return sources.empty() ? "-" : fmt::format("{}", fmt::join(sources, ", "));
}

}  // namespace

Model::Model(std::string_view base_name, std::string name) : Layer(base_name, std::move(name)) {}
Model::Model(Model&&) noexcept = default;
Model::~Model() = default;

layers::KerasWeightsPlace Model::keras_weights_place() const {
  return {.vars = "vars", .vars_name = name(), .sublayers = "layers/"};
}

std::shared_ptr<layers::Layer> Model::get_layer(std::string_view name) const {
  const auto all = layers();
  for (const auto& layer : all) {
    if (layer->name() == name) return layer;
  }
  std::vector<std::string> names;
  for (const auto& layer : all) names.push_back(layer->name());
  throw Error(fmt::format("{} \"{}\": no layer named \"{}\"; its layers are: {}", class_name(), this->name(), name,
                          names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
}

std::shared_ptr<layers::Layer> Model::get_layer(int64_t index) const {
  const auto all = layers();
  if (index < 0 || index >= static_cast<int64_t>(all.size())) {
    throw Error(fmt::format("{} \"{}\": expected a layer index in 0..{}, received {}", class_name(), name(),
                            static_cast<int64_t>(all.size()) - 1, index));
  }
  return all[static_cast<size_t>(index)];
}

torch::Device Model::device() const {
  if (compiled_) return compiled_->device;
  const auto weights = named_weights();
  return weights.empty() ? torch::Device(torch::kCPU) : weights.front().second.device();
}

void Model::to(torch::Device device, bool non_blocking) {
  torch::nn::Module::to(device, non_blocking);
  if (compiled_) compiled_->device = device;
}

const optimizers::Optimizer& Model::optimizer() const {
  if (!compiled_) throw Error(fmt::format("{} \"{}\": optimizer() needs compile() first", class_name(), name()));
  return compiled_->optimizer();
}

int64_t Model::optimizer_iterations() const { return compiled_ ? compiled_->iterations() : 0; }

double Model::learning_rate() const {
  if (!compiled_) throw Error(fmt::format("{} \"{}\": learning_rate() needs compile() first", class_name(), name()));
  return optimizer().learning_rate_at(optimizer_iterations());
}

void Model::set_learning_rate(double learning_rate) {
  if (!compiled_)
    throw Error(fmt::format("{} \"{}\": set_learning_rate() needs compile() first", class_name(), name()));
  if (!(learning_rate >= 0.0 && std::isfinite(learning_rate))) {
    throw Error(
        fmt::format("{} \"{}\": expected a learning rate >= 0, received {}", class_name(), name(), learning_rate));
  }
  compiled_->set_learning_rate(learning_rate);
}

std::string Model::summary() const { return summary(std::cout); }

std::string Model::summary(std::ostream& out) const {
  // Keras's two tables, at an 80-column terminal: a chain of layers, or a graph with "Connected to".
  const bool graph_table = graph_ && !graph_->sequential_like();
  const std::vector<size_t> widths =
      graph_table ? std::vector<size_t>{19, 17, 10, 17} : std::vector<size_t>{31, 22, 13};
  const std::vector<bool> right =
      graph_table ? std::vector<bool>{false, false, true, false} : std::vector<bool>{false, false, true};
  auto rule = [&](std::string_view left, std::string_view line, std::string_view cross, std::string_view right_end) {
    std::string text(left);
    for (size_t c = 0; c < widths.size(); ++c)
      text += repeat(line, widths[c] + 2) + std::string(c + 1 < widths.size() ? cross : right_end);
    return text + "\n";
  };
  // A cell too long for its column wraps onto more lines of the row, as in Keras's table.
  auto row = [&](std::string_view bar, const std::vector<std::string>& cells) {
    std::vector<std::vector<std::string>> lines;
    size_t height = 0;
    for (size_t c = 0; c < cells.size(); ++c) {
      // The parameter count stays on one line, right-aligned.
      lines.push_back(right[c] ? std::vector<std::string>{cells[c]} : wrap(cells[c], widths[c]));
      height = std::max(height, lines.back().size());
    }
    std::string text;
    for (size_t i = 0; i < height; ++i) {
      text += bar;
      for (size_t c = 0; c < cells.size(); ++c) {
        text += fmt::format(" {} {}", pad(i < lines[c].size() ? lines[c][i] : "", widths[c], right[c]), bar);
      }
      text += "\n";
    }
    return text;
  };

  std::string table = fmt::format("Model: \"{}\"\n", name());
  table += rule("┏", "━", "┳", "┓");
  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
  if (graph_table) header.emplace_back("Connected to");
  table += row("┃", header);
  table += rule("┡", "━", "╇", "┩");
  const auto all = layers();
  for (size_t i = 0; i < all.size(); ++i) {
    const layers::Layer& layer = *all[i];
    // A TorchModule shows the module it wraps: `TorchModule<LSTM>`.
    const auto* wrapper = dynamic_cast<const layers::TorchModule*>(&layer);
    const std::string type = wrapper ? fmt::format("TorchModule<{}>", wrapper->module_type()) : layer.class_name();
    std::vector<std::string> cells = {
        fmt::format("{} ({})", layer.name(), type),
        graph_          ? node_output_shapes(layer)
        : layer.built() ? format_batch_shape(layer.output_shape())
                        : "?",
        layer.built() || layer.count_params() > 0 ? with_thousands(layer.count_params()) : "0 (unbuilt)"};
    if (graph_table) cells.push_back(connections(*graph_, layer));
    table += row("│", cells);
    table += i + 1 < all.size() ? rule("├", "─", "┼", "┤") : "";
  }
  table += rule("└", "─", "┴", "┘");

  int64_t trainable = 0;
  int64_t total = 0;
  for (const layers::Weight& weight : weights()) {
    total += weight.value.numel();
    if (weight.trainable) trainable += weight.value.numel();
  }
  table += fmt::format(" Total params: {} ({})\n", with_thousands(total), memory_size(total));
  table += fmt::format(" Trainable params: {} ({})\n", with_thousands(trainable), memory_size(trainable));
  table += fmt::format(" Non-trainable params: {} ({})\n", with_thousands(total - trainable),
                       memory_size(total - trainable));
  out << table << std::flush;
  return table;
}

}  // namespace tkeras
