// Model::save and load_model: the architecture, weights, compile settings and optimizer state in
// one safetensors file.
#include "models/model_file.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/model_config.h"
#include "tkeras/core/error.h"
#include "tkeras/core/version.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/reshape.h"
#include "tkeras/models/sequential.h"
#include "training/compiled_state.h"

namespace tkeras::models::detail {
namespace {

using nlohmann::json;

json size2(const layers::Size2& size) { return json::array({size.height, size.width}); }
layers::Size2 size2(const json& value) { return {value[0].get<int64_t>(), value[1].get<int64_t>()}; }

json layer_entry(const std::string& class_name, json config) {
  return {{"class_name", class_name}, {"config", std::move(config)}};
}

// A layer's class and options, as Keras's `{"class_name", "config"}`.
json layer_config(const Model& model, const layers::Layer& layer) {
  using namespace layers;
  if (const auto* dense = dynamic_cast<const Dense*>(&layer)) {
    return layer_entry("Dense", {{"units", dense->units()}, {"activation", dense->activation()}, {"use_bias", dense->use_bias()}});
  }
  if (const auto* conv = dynamic_cast<const Conv2D*>(&layer)) {
    return layer_entry("Conv2D", {{"filters", conv->filters()},
                                  {"kernel_size", size2(conv->kernel_size())},
                                  {"strides", size2(conv->options().strides)},
                                  {"padding", conv->options().padding},
                                  {"activation", conv->activation()},
                                  {"use_bias", conv->options().use_bias}});
  }
  if (const auto* pool = dynamic_cast<const Pooling2D*>(&layer)) {
    return layer_entry(pool->class_name(),
                       {{"pool_size", size2(pool->pool_size())}, {"strides", size2(pool->strides())}, {"padding", pool->padding()}});
  }
  if (const auto* norm = dynamic_cast<const BatchNormalization*>(&layer)) {
    return layer_entry("BatchNormalization", {{"momentum", norm->options().momentum}, {"epsilon", norm->options().epsilon}});
  }
  if (const auto* dropout = dynamic_cast<const Dropout*>(&layer)) return layer_entry("Dropout", {{"rate", dropout->rate()}});
  if (const auto* rescaling = dynamic_cast<const Rescaling*>(&layer)) {
    return layer_entry("Rescaling", {{"scale", rescaling->scale()}, {"offset", rescaling->offset()}});
  }
  if (const auto* reshape = dynamic_cast<const Reshape*>(&layer)) {
    return layer_entry("Reshape", {{"target_shape", reshape->target_shape()}});
  }
  if (const auto* activation = dynamic_cast<const Activation*>(&layer)) {
    return layer_entry("Activation", {{"activation", activation->activation()}});
  }
  if (dynamic_cast<const Flatten*>(&layer)) return layer_entry("Flatten", json::object());
  if (dynamic_cast<const GlobalAveragePooling2D*>(&layer)) return layer_entry("GlobalAveragePooling2D", json::object());
  throw Error(fmt::format("{} \"{}\": cannot save layer \"{}\" of type {}: model files hold tkeras's own layers; "
                          "save its weights with save_weights and build the model in code",
                          model.class_name(), model.name(), layer.name(), layer.class_name()));
}

// A layer from an entry `config::check_model_config` accepted.
layers::AnyLayer make_layer(const json& entry) {
  using namespace layers;
  const std::string kind = entry["class_name"].get<std::string>();
  const json& c = entry["config"];
  if (kind == "Dense") return Dense(c["units"].get<int64_t>(), c["activation"].get<std::string>(), c["use_bias"].get<bool>());
  if (kind == "Conv2D") {
    return Conv2D(c["filters"].get<int64_t>(), size2(c["kernel_size"]),
                  {.strides = size2(c["strides"]),
                   .padding = c["padding"].get<std::string>(),
                   .activation = c["activation"].get<std::string>(),
                   .use_bias = c["use_bias"].get<bool>()});
  }
  if (kind == "MaxPooling2D" || kind == "AveragePooling2D") {
    const Pooling2DOptions options{.strides = size2(c["strides"]), .padding = c["padding"].get<std::string>()};
    if (kind == "MaxPooling2D") return MaxPooling2D(size2(c["pool_size"]), options);
    return AveragePooling2D(size2(c["pool_size"]), options);
  }
  if (kind == "BatchNormalization") {
    return BatchNormalization({.momentum = c["momentum"].get<double>(), .epsilon = c["epsilon"].get<double>()});
  }
  if (kind == "Dropout") return Dropout(c["rate"].get<double>());
  if (kind == "Rescaling") return Rescaling(c["scale"].get<double>(), c["offset"].get<double>());
  if (kind == "Reshape") return Reshape(c["target_shape"].get<Shape>());
  if (kind == "Activation") return Activation(c["activation"].get<std::string>());
  if (kind == "Flatten") return Flatten();
  return GlobalAveragePooling2D();  // the last class check_model_config accepts
}

json optimizer_config(const optimizers::Optimizer& optimizer) {
  return std::visit(
      [](const auto& o) -> json {
        using Options = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<Options, optimizers::AdamOptions>) {
          return {{"class_name", "Adam"},
                  {"config",
                   {{"learning_rate", o.learning_rate}, {"beta_1", o.beta_1}, {"beta_2", o.beta_2},
                    {"epsilon", o.epsilon}, {"amsgrad", o.amsgrad}}}};
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          return {{"class_name", "SGD"},
                  {"config", {{"learning_rate", o.learning_rate}, {"momentum", o.momentum}, {"nesterov", o.nesterov}}}};
        } else {
          return {{"class_name", "RMSprop"},
                  {"config",
                   {{"learning_rate", o.learning_rate}, {"rho", o.rho}, {"momentum", o.momentum},
                    {"epsilon", o.epsilon}, {"centered", o.centered}}}};
        }
      },
      optimizer.options());
}

// An option of a checked optimizer config, or the default when the file leaves it out.
template <typename T>
T option(const json& config, const char* key, T fallback) {
  const auto found = config.find(key);
  return found == config.end() ? fallback : found->get<T>();
}

optimizers::Optimizer make_optimizer(const json& entry) {
  const std::string kind = entry["class_name"].get<std::string>();
  const json& c = entry["config"];
  if (kind == "Adam") {
    const optimizers::AdamOptions d;
    return optimizers::Adam({.learning_rate = option(c, "learning_rate", d.learning_rate),
                             .beta_1 = option(c, "beta_1", d.beta_1),
                             .beta_2 = option(c, "beta_2", d.beta_2),
                             .epsilon = option(c, "epsilon", d.epsilon),
                             .amsgrad = option(c, "amsgrad", d.amsgrad)});
  }
  if (kind == "SGD") {
    const optimizers::SGDOptions d;
    return optimizers::SGD({.learning_rate = option(c, "learning_rate", d.learning_rate),
                            .momentum = option(c, "momentum", d.momentum),
                            .nesterov = option(c, "nesterov", d.nesterov)});
  }
  const optimizers::RMSpropOptions d;
  return optimizers::RMSprop({.learning_rate = option(c, "learning_rate", d.learning_rate),
                              .rho = option(c, "rho", d.rho),
                              .momentum = option(c, "momentum", d.momentum),
                              .epsilon = option(c, "epsilon", d.epsilon),
                              .centered = option(c, "centered", d.centered)});
}

losses::Loss make_loss(const json& entry) {
  const losses::Loss named(entry["name"].get<std::string>());
  if (!entry["from_logits"].get<bool>()) return named;
  switch (named.kind()) {
    case losses::Loss::Kind::kSparseCategoricalCrossentropy:
      return losses::SparseCategoricalCrossentropy({.from_logits = true});
    case losses::Loss::Kind::kCategoricalCrossentropy:
      return losses::CategoricalCrossentropy({.from_logits = true});
    case losses::Loss::Kind::kBinaryCrossentropy:
      return losses::BinaryCrossentropy({.from_logits = true});
    default:
      return named;
  }
}

// Tensors beside the weights: the optimizer's state, and the random generators' state a
// BackupAndRestore file adds (load_model reads a backup as the model it holds).
const std::vector<std::string> kStatePrefixes = {"optimizer.", "rng."};

bool starts_with_any(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return name.starts_with(p); });
}

}  // namespace

std::string ModelFile::model_config(const Model& model) {
  if (model.class_name() != "Sequential") {
    throw Error(fmt::format("{} \"{}\": cannot describe a model of this class in a model file", model.class_name(),
                            model.name()));
  }
  json layer_list = json::array();
  json batch_shape = json::array({nullptr});
  for (int64_t size : model.input_shape()) batch_shape.push_back(size);
  layer_list.push_back(layer_entry("InputLayer", {{"batch_shape", batch_shape}}));
  for (const auto& layer : model.summary_layers()) layer_list.push_back(layer_config(model, *layer));
  return json{{"class_name", "Sequential"}, {"config", {{"layers", layer_list}}}}.dump();
}

void ModelFile::save(const Model& model, const std::string& path, const std::map<std::string, std::string>& metadata,
                     const io::NamedTensors& tensors) {
  if (!model.built()) {
    throw Error(fmt::format("{} \"{}\": save(\"{}\") needs a built model (call build or fit first)", model.class_name(),
                            model.name(), path));
  }
  std::map<std::string, std::string> header = metadata;
  header["format"] = kFormat;
  header["format_version"] = kVersion;
  header["tkeras_version"] = TKERAS_VERSION;
  header["model_config"] = model_config(model);
  io::NamedTensors named = model.named_weights();
  if (const auto& state = model.compiled_) {
    json compile;
    compile["optimizer"] = optimizer_config(state->optimizer ? state->optimizer->config() : state->optimizer_config);
    compile["loss"] = state->loss ? json{{"name", state->loss->name()}, {"from_logits", state->loss->from_logits()}}
                                  : json(nullptr);
    compile["metrics"] = state->metric_names;
    compile["jit_compile"] = state->jit;
    compile["precision"] = state->bf16_mixed ? "bf16-mixed" : "float32";
    header["compile_config"] = compile.dump();
    if (state->optimizer) {
      for (auto& entry : state->optimizer->state()) named.push_back(std::move(entry));
    }
  }
  named.insert(named.end(), tensors.begin(), tensors.end());
  io::save_safetensors(path, named, header);
}

io::SafetensorsFile ModelFile::read(const std::string& path) {
  io::SafetensorsFile file = io::load_safetensors(path);
  const auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != kFormat) {
    throw Error(fmt::format("\"{}\": expected a tkeras model file (metadata format \"{}\"), received {}{}", path,
                            kFormat, format == file.metadata.end() ? "no format" : "format \"" + format->second + "\"",
                            format != file.metadata.end() && format->second == "tkeras.weights"
                                ? "; a weights file loads with model.load_weights"
                                : ""));
  }
  const auto version = file.metadata.find("format_version");
  if (version == file.metadata.end() || version->second != kVersion) {
    throw Error(fmt::format("\"{}\": unknown model file format_version \"{}\"; this tkeras reads version {}", path,
                            version == file.metadata.end() ? "" : version->second, kVersion));
  }
  if (!file.metadata.contains("model_config")) throw Error(fmt::format("\"{}\": no model_config in the header", path));
  return file;
}

void check_weights(const Model& model, const io::NamedTensors& ours, const io::NamedTensors& theirs,
                   const std::string& path, const std::vector<std::string>& other_prefixes) {
  std::map<std::string, torch::Tensor> loaded;
  for (const auto& [tensor_name, tensor] : theirs) {
    if (starts_with_any(tensor_name, other_prefixes)) continue;
    const bool known = std::any_of(ours.begin(), ours.end(), [&](const auto& weight) { return weight.first == tensor_name; });
    if (!known) {
      std::vector<std::string> expected;
      for (const auto& [weight_name, value] : ours) expected.push_back(weight_name);
      throw Error(fmt::format("\"{}\": unexpected tensor \"{}\" for {} \"{}\"; expected: {}", path, tensor_name,
                              model.class_name(), model.name(), fmt::join(expected, ", ")));
    }
    loaded.emplace(tensor_name, tensor);
  }
  for (const auto& [weight_name, value] : ours) {
    const auto found = loaded.find(weight_name);
    if (found == loaded.end()) {
      throw Error(fmt::format("\"{}\": no tensor \"{}\" for {} \"{}\" (the file has {} of the model's {} weights)",
                              path, weight_name, model.class_name(), model.name(), loaded.size(), ours.size()));
    }
    const torch::Tensor& tensor = found->second;
    if (tensor.sizes() != value.sizes()) {
      throw Error(fmt::format("\"{}\": tensor \"{}\" has shape {}; the model expects {}", path, weight_name,
                              format_shape(tensor.sizes().vec()), format_shape(value.sizes().vec())));
    }
    if (tensor.scalar_type() != value.scalar_type()) {
      throw Error(fmt::format("\"{}\": tensor \"{}\" has dtype {}; the model expects {}", path, weight_name,
                              c10::toString(tensor.scalar_type()), c10::toString(value.scalar_type())));
    }
  }
}

void copy_weights(const io::NamedTensors& ours, const io::NamedTensors& theirs) {
  const std::map<std::string, torch::Tensor> loaded(theirs.begin(), theirs.end());
  const torch::NoGradGuard no_grad;
  for (const auto& [weight_name, value] : ours) {
    torch::Tensor target = value;
    target.copy_(loaded.at(weight_name));
  }
}

void ModelFile::restore(Model& model, const io::SafetensorsFile& file, const std::string& path) {
  const io::NamedTensors ours = model.named_weights();
  check_weights(model, ours, file.tensors, path, kStatePrefixes);

  std::map<std::string, torch::Tensor> optimizer_state;
  for (const auto& [name, tensor] : file.tensors) {
    if (name.starts_with("optimizer.")) optimizer_state.emplace(name, tensor);
  }
  training::CompiledState* state = model.compiled_.get();
  const bool restore_optimizer = state != nullptr && !optimizer_state.empty();
  if (restore_optimizer) {
    if (!state->optimizer) {
      state->optimizer = std::make_unique<training::Updater>(state->optimizer_config, model.trainable_weights(),
                                                             /*capturable=*/state->jit);
    }
    std::vector<std::string> expected;
    for (const auto& [name, tensor] : state->optimizer->state()) expected.push_back(name);
    for (const auto& [name, tensor] : optimizer_state) {
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
        throw Error(fmt::format("\"{}\": unexpected tensor \"{}\" for the {} optimizer; expected: {}", path, name,
                                state->optimizer->config().name(), fmt::join(expected, ", ")));
      }
    }
    state->optimizer->check_state(optimizer_state, path);
  }
  copy_weights(ours, file.tensors);
  if (restore_optimizer) state->optimizer->set_state(optimizer_state);
}

std::unique_ptr<Model> ModelFile::load(const std::string& path, const LoadModelOptions& options) {
  const io::SafetensorsFile file = read(path);
  const config::CheckedModel architecture = config::check_model_config(file.metadata.at("model_config"), path);
  const auto compile_text = file.metadata.find("compile_config");
  const nlohmann::json compile = compile_text == file.metadata.end()
                                     ? nlohmann::json(nullptr)
                                     : config::check_compile_config(compile_text->second, path);
  // The architecture's weights must be the file's: the model built below is never larger than
  // the tensors the file holds.
  int64_t values = 0;
  for (const auto& [name, tensor] : file.tensors) {
    if (!starts_with_any(name, kStatePrefixes)) values += tensor.numel();
  }
  if (values != architecture.weight_values) {
    throw Error(fmt::format("\"{}\": model_config describes {} weight values, the file holds {}", path,
                            architecture.weight_values, values));
  }

  auto model = std::make_unique<Sequential>();
  try {
    model->add(layers::Input(architecture.input_shape));
    for (const nlohmann::json& entry : architecture.layers) model->add(make_layer(entry));
    model->build(architecture.input_shape);
    if (options.compile && !compile.is_null()) {
      model->compile({.optimizer = make_optimizer(compile["optimizer"]),
                      .loss = compile["loss"].is_null() ? std::nullopt : std::optional(make_loss(compile["loss"])),
                      .metrics = compile["metrics"].get<std::vector<std::string>>(),
                      .device = options.device,
                      .jit = compile.value("jit_compile", false),
                      .precision = compile.value("precision", std::string("float32"))});
    }
  } catch (const Error& error) {  // an option the layer or compile refuses: say which file it came from
    throw Error(fmt::format("\"{}\": {}", path, error.what()));
  }
  restore(*model, file, path);
  return model;
}

}  // namespace tkeras::models::detail

namespace tkeras {

void Model::save(const std::string& path) const { models::detail::ModelFile::save(*this, path); }

std::unique_ptr<Model> models::load_model(const std::string& path, const LoadModelOptions& options) {
  return detail::ModelFile::load(path, options);
}

}  // namespace tkeras
