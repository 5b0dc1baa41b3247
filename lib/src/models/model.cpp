// Model: naming, weights, and Keras's summary table.
#include "tkeras/models/model.h"

#include <cmath>

#include <iostream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/unique_name.h"
#include "tkeras/core/error.h"
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

std::string repeat(std::string_view piece, size_t count) {
  std::string result;
  for (size_t i = 0; i < count; ++i) result += piece;
  return result;
}

}  // namespace

Model::Model(std::string_view prefix) : name_(unique_name(prefix)) {}
Model::~Model() = default;

std::vector<torch::Tensor> Model::trainable_weights() const {
  std::vector<torch::Tensor> result;
  for (const layers::Weight& weight : weights()) {
    if (weight.trainable) result.push_back(weight.value);
  }
  return result;
}

std::vector<torch::Tensor> Model::get_weights() const {
  std::vector<torch::Tensor> values;
  for (const layers::Weight& weight : weights()) values.push_back(weight.value.detach().clone());
  return values;
}

void Model::set_weights(const std::vector<torch::Tensor>& values) {
  const std::vector<layers::Weight> all = weights();
  if (values.size() != all.size()) {
    throw Error(fmt::format("{} \"{}\": set_weights expected {} tensors, received {}", class_name(), name(), all.size(),
                            values.size()));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    if (!values[i].defined() || values[i].sizes() != all[i].value.sizes()) {
      throw Error(fmt::format("{} \"{}\": set_weights expected {} of shape {}, received {}", class_name(), name(),
                              all[i].name, format_shape(all[i].value.sizes().vec()),
                              values[i].defined() ? format_shape(values[i].sizes().vec()) : "an undefined tensor"));
    }
  }
  const torch::NoGradGuard no_grad;
  for (size_t i = 0; i < all.size(); ++i) all[i].value.copy_(values[i]);
}

int64_t Model::count_params() const {
  int64_t count = 0;
  for (const layers::Weight& weight : weights()) count += weight.value.numel();
  return count;
}

torch::Device Model::device() const { return compiled_ ? compiled_->device : torch::Device(torch::kCPU); }

const optimizers::Optimizer& Model::optimizer() const {
  if (!compiled_) throw Error(fmt::format("{} \"{}\": optimizer() needs compile() first", class_name(), name()));
  return compiled_->optimizer ? compiled_->optimizer->config() : compiled_->optimizer_config;
}

int64_t Model::optimizer_iterations() const {
  return compiled_ && compiled_->optimizer ? compiled_->optimizer->iterations() : 0;
}

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
  compiled_->optimizer_config.set_learning_rate(learning_rate);
  if (compiled_->optimizer) compiled_->optimizer->set_learning_rate(learning_rate);
}

std::string Model::summary() const { return summary(std::cout); }

std::string Model::summary(std::ostream& out) const {
  constexpr size_t kName = 31, kShape = 22, kParams = 13;
  auto rule = [&](std::string_view left, std::string_view line, std::string_view cross, std::string_view right) {
    return fmt::format("{}{}{}{}{}{}{}\n", left, repeat(line, kName + 2), cross, repeat(line, kShape + 2), cross,
                       repeat(line, kParams + 2), right);
  };
  auto row = [&](std::string_view bar, std::string_view name, std::string_view shape, std::string_view params) {
    return fmt::format("{} {} {} {} {} {} {}\n", bar, pad(name, kName, false), bar, pad(shape, kShape, false), bar,
                       pad(params, kParams, true), bar);
  };

  std::string table = fmt::format("Model: \"{}\"\n", name());
  table += rule("┏", "━", "┳", "┓");
  table += row("┃", "Layer (type)", "Output Shape", "Param #");
  table += rule("┡", "━", "╇", "┩");
  const auto layers = summary_layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const layers::Layer& layer = *layers[i];
    table += row("│", fmt::format("{} ({})", layer.name(), layer.class_name()),
                 layer.built() ? format_batch_shape(layer.output_shape()) : "?",
                 layer.built() ? with_thousands(layer.count_params()) : "0 (unbuilt)");
    table += i + 1 < layers.size() ? rule("├", "─", "┼", "┤") : "";
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
