// Model::save and load_model: the architecture, weights, compile settings and optimizer state in
// one safetensors file.
#include "saving/model_file.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/read_file.h"
#include "layers/serialization.h"
#include "losses/serialization.h"
#include "optimizers/serialization.h"
#include "saving/compile_config.h"
#include "tkeras/core/error.h"
#include "tkeras/core/version.h"
#include "tkeras/metrics/metric.h"
#include "tkeras/models/sequential.h"
#include "training/compiled_state.h"

namespace tkeras::saving::detail {
namespace {

using layers::detail::class_label;
using layers::detail::deserialize;
using layers::detail::serialize;

using nlohmann::json;

// Tensors beside the weights: the optimizer's state, and the random generators' state a
// BackupAndRestore file adds (load_model reads a backup as the model it holds).
const std::vector<std::string> kStatePrefixes = {"optimizer.", "rng."};

bool starts_with_any(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return name.starts_with(p); });
}

// Removes the layers' names and trainable flags, at every depth.
void strip_identity(json& value) {
  if (value.is_array()) {
    for (json& item : value) strip_identity(item);
  } else if (value.is_object()) {
    if (value.contains("class_name") && value.contains("config") && value["config"].is_object()) {
      value["config"].erase("name");
      value["config"].erase("trainable");
    }
    for (auto& [key, item] : value.items()) strip_identity(item);
  }
}

json parse_model_config(const io::SafetensorsFile& file, const std::string& path) {
  json config = json::parse(file.metadata.at("model_config"), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object())
    throw Error(fmt::format("\"{}\": model_config is not a JSON object", path));
  return config;
}

}  // namespace

std::string ModelFile::model_config(const Model& model) { return serialize(model).dump(); }

std::string ModelFile::architecture(const std::string& model_config_text) {
  json config = json::parse(model_config_text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return {};
  strip_identity(config);
  return config.dump();
}

std::shared_ptr<Model> ModelFile::build(const Config& config, const layers::CustomObjects& custom_objects,
                                        const std::string& path, torch::Device device) {
  try {
    // A Functional model is built as its layers are called: on `device` too.
    const layers::detail::SymbolicBuildDevice build_on(device);
    const std::shared_ptr<layers::Layer> root = deserialize(config, custom_objects);
    if (auto functional = std::dynamic_pointer_cast<Model>(root); functional && functional->functional()) {
      return functional;
    }
    auto model = std::dynamic_pointer_cast<Sequential>(root);
    if (!model) {
      throw Error(fmt::format("expected a model of class \"Sequential\" or \"Functional\", received {}",
                              config.value("class_name", json()).dump()));
    }
    if (!model->declared_input_shape()) throw Error("expected the layers to start with an InputLayer, found none");
    model->build(*model->declared_input_shape(), device);
    return model;
  } catch (const Error& error) {
    // "model_config layer 2 (Dense): ..." for a layer's problem, "model_config: ..." otherwise.
    const std::string_view message = error.what();
    throw Error(fmt::format("\"{}\": model_config{}{}", path, message.starts_with("layer ") ? " " : ": ", message));
  } catch (const c10::Error& error) {  // a weight LibTorch cannot even describe (its size overflows)
    throw Error(fmt::format("\"{}\": model_config describes weights LibTorch refuses: {}", path,
                            error.what_without_backtrace()));
  } catch (const std::exception& error) {
    throw Error(fmt::format("\"{}\": model_config cannot be built: {}", path, error.what()));
  }
}

namespace {

// compile's metrics as Keras serializes them: names as they are, objects as Keras's metric configs.
json serialize_metrics(const std::vector<metrics::Identifier>& identifiers) {
  json list = json::array();
  for (const metrics::Identifier& identifier : identifiers) {
    list.push_back(identifier.is_name() ? json(identifier.name()) : metrics::serialize(*identifier.metric()));
  }
  return list;
}

std::vector<metrics::Identifier> deserialize_metrics(const json& list, const metrics::MetricFactories& custom_objects) {
  std::vector<metrics::Identifier> identifiers;
  if (list.is_null()) return identifiers;
  for (const json& entry : list) {
    if (entry.is_string() && !custom_objects.contains(entry.get<std::string>())) {
      identifiers.emplace_back(entry.get<std::string>());
    } else {
      identifiers.emplace_back(metrics::deserialize(entry, custom_objects));
    }
  }
  return identifiers;
}

}  // namespace

Config ModelFile::compile_config(const Model& model) {
  const auto& state = model.compiled_;
  if (!state) return nullptr;
  json compile;
  compile["optimizer"] = optimizers::detail::serialize(state->optimizer());
  // One output: its loss and metrics; several: null there, and each output's under "outputs".
  const bool single = state->heads.size() <= 1;
  compile["loss"] = state->heads.size() == 1 ? losses::detail::serialize(state->heads.front().loss) : json(nullptr);
  compile["metrics"] =
      single && !state->heads.empty() ? serialize_metrics(state->heads.front().metrics) : json::array();
  compile["weighted_metrics"] =
      single && !state->heads.empty() ? serialize_metrics(state->heads.front().weighted_metrics) : json::array();
  if (!single) {
    json outputs = json::array();
    for (const training::Head& head : state->heads) {
      outputs.push_back({{"name", head.name},
                         {"loss", losses::detail::serialize(head.loss)},
                         {"weight", head.weight},
                         {"metrics", serialize_metrics(head.metrics)},
                         {"weighted_metrics", serialize_metrics(head.weighted_metrics)}});
    }
    compile["outputs"] = std::move(outputs);
  }
  compile["jit_compile"] = state->jit;
  compile["precision"] = state->bf16_mixed ? "bf16-mixed" : "float32";
  return compile;
}

void ModelFile::compile_from(Model& model, const Config& compile, const models::LoadModelOptions& options,
                             const std::string& path) {
  if (!options.compile || compile.is_null()) return;
  const losses::LossFactories custom_losses = loss_factories(options.custom_objects);
  const metrics::MetricFactories custom_metrics = metric_factories(options.custom_objects);
  try {
    LossSpec loss =
        compile["loss"].is_null() ? LossSpec() : LossSpec(losses::detail::make(compile["loss"], custom_losses));
    std::map<std::string, double> loss_weights;
    MetricsSpec metrics = deserialize_metrics(compile["metrics"], custom_metrics);
    std::vector<metrics::Identifier> weighted_metrics =
        deserialize_metrics(compile.value("weighted_metrics", json()), custom_metrics);
    if (compile.contains("outputs")) {  // a model of several outputs: each output's own
      std::map<std::string, losses::Loss> by_output;
      std::map<std::string, std::vector<metrics::Identifier>> metrics_by_output;
      for (const json& output : compile["outputs"]) {
        const std::string name = output.at("name").get<std::string>();
        by_output.emplace(name, losses::detail::make(output.at("loss"), custom_losses));
        loss_weights[name] = output.at("weight").get<double>();
        metrics_by_output[name] = deserialize_metrics(output.at("metrics"), custom_metrics);
        weighted_metrics = deserialize_metrics(output.at("weighted_metrics"), custom_metrics);
      }
      loss = LossSpec(by_output);
      metrics = MetricsSpec(metrics_by_output);
    }
    model.compile({.optimizer = optimizers::detail::deserialize(compile["optimizer"]),
                   .loss = loss,
                   .loss_weights = loss_weights,
                   .metrics = metrics,
                   .weighted_metrics = weighted_metrics,
                   .device = options.device,
                   .jit = compile.value("jit_compile", false),
                   .precision = compile.value("precision", std::string("float32")),
                   .distribute = std::nullopt});
  } catch (const Error& error) {  // an option compile refuses: say which file it came from
    throw Error(fmt::format("\"{}\": {}", path, error.what()));
  }
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
    header["compile_config"] = compile_config(model).dump();
    if (const training::Updater* updater = state->existing_updater()) {
      for (auto& entry : updater->state()) named.push_back(std::move(entry));
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
    const bool known = std::any_of(ours.begin(), ours.end(),
                                   [&name = tensor_name](const auto& weight) { return weight.first == name; });
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
  training::Updater* updater = restore_optimizer ? &state->updater(model.trainable_weights()) : nullptr;
  if (updater) {
    std::vector<std::string> expected;
    for (const auto& [name, tensor] : updater->state()) expected.push_back(name);
    for (const auto& [name, tensor] : optimizer_state) {
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
        throw Error(fmt::format("\"{}\": unexpected tensor \"{}\" for the {} optimizer; expected: {}", path, name,
                                updater->config().name(), fmt::join(expected, ", ")));
      }
    }
    updater->check_state(optimizer_state, path);
  }
  copy_weights(ours, file.tensors);
  if (updater) updater->set_state(optimizer_state);
}

std::shared_ptr<Model> ModelFile::check(const io::SafetensorsFile& file, const std::string& path,
                                        const CustomObjects& custom_objects) {
  const json config = parse_model_config(file, path);
  if (const auto compile = file.metadata.find("compile_config"); compile != file.metadata.end()) {
    config::check_compile_config(compile->second, path, custom_objects);
  }
  // Built on the meta device first: its weights have shapes but no memory, so a file cannot make
  // the loader allocate more than the tensors it holds.
  std::shared_ptr<Model> checked = build(config, layer_factories(custom_objects), path, torch::kMeta);
  check_weights(*checked, checked->named_weights(), file.tensors, path, kStatePrefixes);
  return checked;
}

std::shared_ptr<Model> ModelFile::load(const std::string& path, const models::LoadModelOptions& options) {
  // Keras's files are zip archives, known by their signature; the rest must be tkeras's.
  if (std::optional<std::string> archive = io::read_file_with_signature(path, std::string_view("PK\x03\x04", 4))) {
    return load_keras(*archive, path, options);
  }
  const io::SafetensorsFile file = read(path);
  check(file, path, options.custom_objects);
  const auto compile_text = file.metadata.find("compile_config");
  const json compile = compile_text == file.metadata.end()
                           ? json(nullptr)
                           : config::check_compile_config(compile_text->second, path, options.custom_objects);
  std::shared_ptr<Model> model =
      build(parse_model_config(file, path), layer_factories(options.custom_objects), path, torch::kCPU);
  compile_from(*model, compile, options, path);
  restore(*model, file, path);
  return model;
}

}  // namespace tkeras::saving::detail

namespace tkeras {

void Model::save(const std::string& path) const {
  if (path.ends_with(".keras")) {
    io::write_file_atomically(path, saving::detail::ModelFile::keras_archive(*this));
  } else {
    saving::detail::ModelFile::save(*this, path);
  }
}

std::shared_ptr<Model> models::load_model(const std::string& path, const models::LoadModelOptions& options) {
  return saving::detail::ModelFile::load(path, options);
}

}  // namespace tkeras
