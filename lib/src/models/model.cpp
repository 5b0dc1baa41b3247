// Model: the layer API (layers, get_layer), its device, the optimizer's settings, Keras's summary table.
#include "tkeras/models/model.h"

#include <cmath>

#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

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
// and a word longer than the width cut where it must be.
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
    while (word.size() > width) {
      lines.emplace_back(word, 0, width);
      word.erase(0, width);
    }
    line = word;
  }
  lines.push_back(line);
  return lines;
}

std::string repeat(std::string_view piece, size_t count) {
  std::string result;
  for (size_t i = 0; i < count; ++i) result += piece;
  return result;
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
  return optimizer().learning_rate();
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
  constexpr size_t kName = 31, kShape = 22, kParams = 13;
  auto rule = [&](std::string_view left, std::string_view line, std::string_view cross, std::string_view right) {
    return fmt::format("{}{}{}{}{}{}{}\n", left, repeat(line, kName + 2), cross, repeat(line, kShape + 2), cross,
                       repeat(line, kParams + 2), right);
  };
  // A cell too long for its column wraps onto more lines of the row, as in Keras's table.
  auto row = [&](std::string_view bar, const std::string& name, const std::string& shape, const std::string& params) {
    const std::vector<std::string> names = wrap(name, kName), shapes = wrap(shape, kShape);
    std::string lines;
    for (size_t i = 0; i < std::max(names.size(), shapes.size()); ++i) {
      lines += fmt::format("{} {} {} {} {} {} {}\n", bar, pad(i < names.size() ? names[i] : "", kName, false), bar,
                           pad(i < shapes.size() ? shapes[i] : "", kShape, false), bar,
                           pad(i == 0 ? params : "", kParams, true), bar);
    }
    return lines;
  };

  std::string table = fmt::format("Model: \"{}\"\n", name());
  table += rule("┏", "━", "┳", "┓");
  table += row("┃", "Layer (type)", "Output Shape", "Param #");
  table += rule("┡", "━", "╇", "┩");
  const auto all = layers();
  for (size_t i = 0; i < all.size(); ++i) {
    const layers::Layer& layer = *all[i];
    // A TorchModule shows the module it wraps: `TorchModule<LSTM>`.
    const auto* wrapper = dynamic_cast<const layers::TorchModule*>(&layer);
    const std::string type = wrapper ? fmt::format("TorchModule<{}>", wrapper->module_type()) : layer.class_name();
    table += row("│", fmt::format("{} ({})", layer.name(), type),
                 layer.built() ? format_batch_shape(layer.output_shape()) : "?",
                 layer.built() || layer.count_params() > 0 ? with_thousands(layer.count_params()) : "0 (unbuilt)");
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
