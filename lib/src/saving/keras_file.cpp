// Keras 3's model files (.keras): a zip of metadata.json, config.json and model.weights.h5 (and
// assets), written and read as Keras's saving_lib does.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "io/zip_archive.h"
#include "layers/keras_format.h"
#include "layers/registry.h"
#include "layers/serialization.h"
#include "losses/serialization.h"
#include "optimizers/serialization.h"
#include "saving/compile_config.h"
#include "saving/keras_weights.h"
#include "saving/model_file.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/core/version.h"
#include "tkeras/layers/input.h"
#include "training/compiled_state.h"

namespace tkeras::saving::detail {
namespace {

using layers::detail::deserialize;

using nlohmann::json;

// The Keras release whose file format tkeras writes, and which the parity suite opens them with.
constexpr const char* kKerasVersion = "3.15.1";
constexpr const char* kConfigFile = "config.json";
constexpr const char* kMetadataFile = "metadata.json";
constexpr const char* kWeightsFile = "model.weights.h5";

// ---- tkeras -> Keras ----

// Writes each layer as the layer says (its to_keras), collecting the files Keras keeps beside the
// config (a TextVectorization's vocabulary).
class ArchiveWriter : public layers::keras_format::Writer {
 public:
  Config entry(const layers::Layer& layer, const std::string& path) override { return layer.to_keras(*this, path); }
  void add_file(const std::string& name, std::string contents) override {
    files.emplace_back(name, std::move(contents));
  }

  std::vector<std::pair<std::string, std::string>> files;
};

// tkeras's compile_config as Keras's: the optimizer and a loss with options as Keras objects, a
// loss without as its name. (tkeras's jit and precision have no Keras counterpart: Keras's
// jit_compile is XLA or torch.compile, not a CUDA graph.)
json keras_compile(const json& compile) {
  json weighted = compile.value("weighted_metrics", json::array());
  json loss = compile["loss"].is_null() ? json(nullptr) : losses::detail::to_keras(compile["loss"]);
  json loss_weights = nullptr;
  json metrics = compile["metrics"];
  // A model of several outputs: Keras's dicts by output name.
  if (compile.contains("outputs")) {
    loss = json::object();
    loss_weights = json::object();
    metrics = json::object();
    for (const json& output : compile["outputs"]) {
      const std::string name = output["name"].get<std::string>();
      loss[name] = losses::detail::to_keras(output["loss"]);
      loss_weights[name] = output["weight"];
      metrics[name] = output["metrics"];
      weighted = output["weighted_metrics"];
    }
  }
  return {{"optimizer", optimizers::detail::to_keras(compile["optimizer"])},
          {"loss", loss},
          {"loss_weights", loss_weights},
          {"metrics", metrics},
          {"weighted_metrics", weighted.empty() ? json(nullptr) : weighted},
          {"run_eagerly", false},
          {"steps_per_execution", 1},
          {"jit_compile", false}};
}

std::string now_saved() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d@%H:%M:%S", &local);
  return text;
}

// ---- Keras -> tkeras ----

// Keras options tkeras has no use for, whatever their value: initializers (the weights come from
// the file), seeds, and how Keras picks its kernels.
bool ignorable(const std::string& key) {
  static const std::set<std::string, std::less<>> keys = {
      "dtype",      "seed",         "use_cudnn",         "implementation", "unroll",
      "lora_alpha", "input_length", "build_input_shape", "renorm_momentum"};
  return keys.contains(key) || key.ends_with("_initializer");
}

bool all_ones(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>() == 1;
  return value.is_array() && std::all_of(value.begin(), value.end(),
                                         [](const json& v) { return v.is_number_integer() && v.get<int64_t>() == 1; });
}

// Whether a Keras option tkeras does not implement has the value that makes it do nothing; the
// value expected is put in `expected`.
bool at_default(const std::string& key, const json& value, std::string& expected) {
  if (key.ends_with("_regularizer") || key.ends_with("_constraint") || key == "quantization_config" ||
      key == "lora_rank" || key == "noise_shape") {
    expected = "null";
    return value.is_null();
  }
  if (key == "stateful" || key == "return_state" || key == "time_major" || key == "sparse" || key == "ragged" ||
      key == "optional" || key == "synchronized" || key == "renorm" || key == "keepdims" ||
      key == "zero_output_for_mask") {
    expected = "false";
    return value == false;
  }
  if (key == "dropout" || key == "recurrent_dropout") {
    expected = "0";
    return value.is_number() && value.get<double>() == 0.0;
  }
  if (key == "groups" || key == "dilation_rate") {
    expected = "1";
    return all_ones(value);
  }
  if (key == "center" || key == "scale") {
    expected = "true";
    return value == true;
  }
  if (key == "renorm_clipping") {
    expected = "null";
    return value.is_null();
  }
  if (key == "axis") {
    expected = "-1";
    return value == -1 || value == json::array({-1});
  }
  if (key == "data_format") {
    expected = "\"channels_last\"";
    return value.is_null() || value == "channels_last";
  }
  expected.clear();
  return false;
}

// Reads each layer as its class says (its registered from_keras), checking its options against
// the ones the tkeras class honours.
class ArchiveReader : public layers::keras_format::Reader {
 public:
  ArchiveReader(const std::map<std::string, std::string>& files, const layers::CustomObjects& custom_objects)
      : files_(files), custom_objects_(custom_objects) {}

  Config entry(const Config& keras, const std::string& path, const std::string& where) override {
    if (!keras.is_object() || !keras.contains("class_name") || !keras["class_name"].is_string() ||
        !keras.contains("config") || !keras["config"].is_object()) {
      throw Error(fmt::format("{}: expected an object with \"class_name\" and \"config\", received {}", where,
                              keras.dump().substr(0, 120)));
    }
    const std::string kind = keras["class_name"].get<std::string>();
    if (keras.contains("registered_name") && keras["registered_name"].is_string() &&
        (custom_objects_.contains(keras["registered_name"].get<std::string>()) || custom_objects_.contains(kind))) {
      return keras;  // the user's own layer reads its config
    }
    const layers::registry::LayerClass* layer_class = layers::registry::find(kind);
    if (layer_class != nullptr && layer_class->from_keras) return layer_class->from_keras(keras, *this, path, where);
    check_options(keras, where);
    return keras;
  }

  const std::string* file(const std::string& name) const override {
    const auto found = files_.find(name);
    return found == files_.end() ? nullptr : &found->second;
  }

  const layers::CustomObjects& custom_objects() const override { return custom_objects_; }

  void check_options(const Config& entry, const std::string& where) override {
    const json& config = entry["config"];
    std::shared_ptr<layers::Layer> layer;
    try {
      layer = deserialize(entry, custom_objects_);
    } catch (const Error& error) {
      throw Error(fmt::format("{}: {}", where, error.what()));
    }
    if (const auto dtype = config.find("dtype"); dtype != config.end() && !dtype->is_null()) {
      const std::string name = layers::keras_format::dtype_name(*dtype);
      // An input may take integers (token ids): Input checks the dtypes it takes.
      if (name != "float32" && dynamic_cast<const layers::Input*>(layer.get()) == nullptr) {
        throw Error(fmt::format("{}: dtype \"{}\" is not supported; tkeras computes in float32", where, name));
      }
    }
    const Config ours = layer->get_config();
    std::set<std::string> known;
    for (const auto& [key, value] : ours.items()) known.insert(key);
    for (const auto& [key, value] : config.items()) {
      if (known.contains(key) || ignorable(key)) continue;
      std::string expected;
      if (at_default(key, value, expected)) continue;
      throw Error(fmt::format("{}: option \"{}\" = {} is not supported by tkeras{}", where, key,
                              value.dump().substr(0, 120), expected.empty() ? "" : " (expected " + expected + ")"));
    }
  }

 private:
  const std::map<std::string, std::string>& files_;
  const layers::CustomObjects& custom_objects_;
};

// Keras's compile_config as tkeras's, refusing what tkeras cannot honour.
json tkeras_compile(const json& keras, const std::string& path, const CustomObjects& custom_objects) {
  const losses::LossFactories custom_losses = loss_factories(custom_objects);
  const auto fail = [&](const std::string& problem) -> Error {
    return Error(fmt::format("\"{}\": config.json compile_config: {}", path, problem));
  };
  if (!keras.is_object()) throw fail(fmt::format("expected an object, received {}", keras.dump().substr(0, 120)));
  json compile;
  // The optimizer.
  try {
    compile["optimizer"] = optimizers::detail::from_keras(keras.value("optimizer", json()));
  } catch (const Error& error) {
    throw fail(error.what());
  }
  // The loss; a dict of them for a model of several outputs.
  const json keras_loss = keras.value("loss", json());
  if (keras_loss.is_object() && !keras_loss.contains("class_name") && !keras_loss.contains("config")) {
    const json weights = keras.value("loss_weights", json());
    const json metrics = keras.value("metrics", json());
    json outputs = json::array();
    for (const auto& [name, loss] : keras_loss.items()) {
      json output = {{"name", name}, {"weight", 1.0}, {"metrics", json::array()}, {"weighted_metrics", json::array()}};
      try {
        output["loss"] = losses::detail::from_keras(loss, custom_losses);
      } catch (const Error& error) {
        throw fail(fmt::format("loss of output \"{}\": {}", name, error.what()));
      }
      if (weights.is_object() && weights.contains(name)) output["weight"] = weights[name];
      if (metrics.is_object() && metrics.contains(name)) {
        const json& names = metrics[name];
        output["metrics"] = names.is_array() ? names : json::array({names});  // one name or metric, or a list
      }
      outputs.push_back(std::move(output));
    }
    compile["loss"] = nullptr;
    compile["metrics"] = json::array();
    compile["weighted_metrics"] = json::array();
    compile["outputs"] = std::move(outputs);
    compile["jit_compile"] = false;
    compile["precision"] = "float32";
    return config::check_compile_config(compile.dump(), path, custom_objects);
  }
  try {
    compile["loss"] = losses::detail::from_keras(keras_loss, custom_losses);
  } catch (const Error& error) {
    throw fail(error.what());
  }
  // The metrics: names and Keras's serialized metric objects, as tkeras keeps them.
  for (const char* key : {"metrics", "weighted_metrics"}) {
    const json metrics = keras.value(key, json());
    if (metrics.is_null()) {
      compile[key] = json::array();
    } else if (metrics.is_array()) {
      compile[key] = metrics;
    } else {
      throw fail(fmt::format("expected \"{}\" as a list of metrics (names or objects), received {}", key,
                             metrics.dump().substr(0, 120)));
    }
  }
  if (const json weights = keras.value("loss_weights", json()); !weights.is_null()) {
    throw fail(fmt::format("loss_weights={} is not supported by tkeras (one output, one loss)",
                           weights.dump().substr(0, 120)));
  }
  compile["jit_compile"] = false;
  compile["precision"] = "float32";
  return config::check_compile_config(compile.dump(), path, custom_objects);
}

// The `optimizer/vars/<i>` datasets in index order; anything else under `optimizer/` is an error.
std::vector<torch::Tensor> optimizer_variables(const io::NamedTensors& datasets, const std::string& path) {
  std::map<int64_t, torch::Tensor> by_index;
  for (const auto& [name, value] : datasets) {
    const std::string prefix = "optimizer/vars/";
    const std::string index = name.starts_with(prefix) ? name.substr(prefix.size()) : "";
    if (index.empty() || index.size() > 9 ||
        !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw Error(fmt::format(
          "\"{}\": unexpected dataset \"{}\"; expected the optimizer's variables at optimizer/vars/<i>", path, name));
    }
    by_index.emplace(std::stoll(index), value);
  }
  std::vector<torch::Tensor> variables;
  for (const auto& [index, value] : by_index) {
    if (index != static_cast<int64_t>(variables.size())) {
      throw Error(fmt::format("\"{}\": no dataset optimizer/vars/{}, though the file has optimizer/vars/{}", path,
                              variables.size(), index));
    }
    variables.push_back(value);
  }
  return variables;
}

}  // namespace

std::string ModelFile::keras_archive(const Model& model) {
  if (!model.built()) {
    throw Error(
        fmt::format("{} \"{}\": save needs a built model (call build or fit first)", model.class_name(), model.name()));
  }
  ArchiveWriter writer;
  json config = writer.entry(model, "");
  if (!config.contains("build_config")) {
    config["build_config"] = {{"input_shape", config["config"].value("build_input_shape", json())}};
  }

  io::NamedTensors optimizer;
  std::map<std::string, std::string> optimizer_groups;
  if (model.compiled_) {
    config["compile_config"] = keras_compile(compile_config(model));
    // Keras saves every slot of a compiled model's optimizer, built at compile: so does tkeras,
    // making the state (zeros) if no fit has yet.
    training::Updater& updater = model.compiled_->updater(model.trainable_weights());
    std::map<std::string, torch::Tensor> state;
    for (auto& [name, tensor] : updater.state()) state.emplace(name, tensor.detach().cpu());
    const auto add = [&](torch::Tensor value) {
      optimizer.emplace_back(fmt::format("optimizer/vars/{}", optimizer.size()), std::move(value));
    };
    add(state.at("optimizer.iterations").to(torch::kLong));
    // Keras's optimizer has a learning-rate variable only when the rate is a number.
    const bool scheduled = model.optimizer().learning_rate_schedule().has_value();
    if (!scheduled) add(torch::tensor(static_cast<float>(model.learning_rate())));
    // Keras's order: each group of slots interleaved over the trainable weights (Adam: a weight's
    // momentum, then its velocity), the groups one after another.
    for (const auto& group : updater.slot_groups()) {
      int64_t offset = 0;
      for (const torch::Tensor& weight : model.trainable_weights()) {
        for (const std::string& slot : group)
          add(state.at(slot).narrow(0, offset, weight.numel()).view(weight.sizes()));
        offset += weight.numel();
      }
    }
    for (const std::string& variable : updater.scalar_variables()) add(state.at(variable));  // Nadam's u_product
    optimizer_groups["optimizer/vars"] = updater.config().name();
  }

  std::vector<std::pair<std::string, std::string>> files = {
      {kMetadataFile,
       json{{"keras_version", kKerasVersion}, {"date_saved", now_saved()}, {"tkeras_version", TKERAS_VERSION}}.dump()},
      {kConfigFile, config.dump()},
      {kWeightsFile, keras_weights_file(model, optimizer, optimizer_groups)}};
  files.insert(files.end(), writer.files.begin(), writer.files.end());
  return io::write_zip(files);
}

std::shared_ptr<Model> ModelFile::load_keras(std::string_view bytes, const std::string& path,
                                             const models::LoadModelOptions& options) {
  const std::map<std::string, std::string> files = io::read_zip(bytes, path);
  const auto config_file = files.find(kConfigFile);
  if (config_file == files.end())
    throw Error(fmt::format("\"{}\": no {} in the archive; expected a Keras 3 .keras file", path, kConfigFile));
  const json keras = json::parse(config_file->second, nullptr, /*allow_exceptions=*/false);
  if (keras.is_discarded() || !keras.is_object())
    throw Error(fmt::format("\"{}\": {} is not a JSON object", path, kConfigFile));
  const auto weights_file = files.find(kWeightsFile);
  if (weights_file == files.end()) {
    throw Error(
        fmt::format("\"{}\": no {} in the archive{}", path, kWeightsFile,
                    files.contains("model.weights.npz") ? " (tkeras reads Keras's HDF5 weights, not .npz)" : ""));
  }

  // The architecture, checked option by option, then built on the meta device to check the weights.
  const layers::CustomObjects layer_objects = layer_factories(options.custom_objects);
  ArchiveReader reader{files, layer_objects};
  json config;
  try {
    config = reader.entry(keras, "", "");
  } catch (const Error& error) {
    throw Error(fmt::format("\"{}\": config.json {}", path, error.what()));
  }
  const auto compile_entry = keras.find("compile_config");
  const json compile =
      compile_entry == keras.end() || compile_entry->is_null() || compile_entry->empty()  // {}: never compiled
          ? json(nullptr)
          : tkeras_compile(*compile_entry, path, options.custom_objects);
  const std::shared_ptr<Model> checked = build(config, layer_objects, path, torch::kMeta);
  io::NamedTensors optimizer_datasets;
  const std::string weights_what = fmt::format("{}: {}", path, kWeightsFile);
  io::NamedTensors weights = read_keras_weights(*checked, weights_file->second, weights_what, &optimizer_datasets);
  check_weights(*checked, checked->named_weights(), weights, weights_what);

  std::shared_ptr<Model> model = build(config, layer_objects, path, torch::kCPU);
  compile_from(*model, compile, options, path);
  io::SafetensorsFile file{std::move(weights), {}};
  std::optional<double> learning_rate;
  if (model->compiled_ && !optimizer_datasets.empty()) {
    const std::vector<torch::Tensor> variables = optimizer_variables(optimizer_datasets, weights_what);
    training::Updater& updater = model->compiled_->updater(model->trainable_weights());
    const std::string kind = updater.config().name();
    std::map<std::string, torch::Tensor> ours;
    for (auto& [name, tensor] : updater.state()) ours.emplace(name, tensor);
    const auto groups = updater.slot_groups();
    const std::vector<torch::Tensor> trainable = model->trainable_weights();
    const std::vector<std::string> scalars = updater.scalar_variables();
    size_t slots = scalars.size();
    for (const auto& group : groups) slots += group.size() * trainable.size();
    // Keras saves an optimizer that never stepped with its iterations and learning rate alone; a
    // learning-rate schedule has no variable.
    const bool scheduled = model->optimizer().learning_rate_schedule().has_value();
    const size_t fixed = scheduled ? 1 : 2;
    if (variables.size() != fixed && variables.size() != fixed + slots) {
      throw Error(
          fmt::format("\"{}\": the optimizer has {} variables in the file; the {} optimizer of this model has "
                      "{} + {} ({} trainable weights{})",
                      weights_what, variables.size(), kind, fixed, slots, trainable.size(),
                      scheduled ? ", a learning-rate schedule" : ""));
    }
    const auto scalar = [&](size_t i, bool integral) {
      const torch::Tensor& value = variables[i];
      if (value.numel() != 1 || value.is_floating_point() == integral) {
        throw Error(fmt::format("\"{}\": expected optimizer/vars/{} to be a{} scalar ({}), received {} of shape {}",
                                weights_what, i, integral ? "n integer" : " float",
                                integral ? "iterations" : "learning rate", c10::toString(value.scalar_type()),
                                format_shape(value.sizes().vec())));
      }
      return value;
    };
    file.tensors.emplace_back("optimizer.iterations", scalar(0, true).reshape({}).to(torch::kLong));
    if (!scheduled) learning_rate = scalar(1, false).item<double>();
    if (variables.size() > fixed) {
      size_t next = fixed;
      for (const auto& group : groups) {
        std::map<std::string, std::vector<torch::Tensor>> pieces;
        for (const torch::Tensor& weight : trainable) {
          for (const std::string& slot : group) {
            const torch::Tensor& value = variables[next];
            if (value.sizes() != weight.sizes() || value.scalar_type() != weight.scalar_type()) {
              throw Error(fmt::format(
                  "\"{}\": optimizer/vars/{} is {} of shape {}; the {} optimizer expects {} of shape "
                  "{} ({} of a weight)",
                  weights_what, next, c10::toString(value.scalar_type()), format_shape(value.sizes().vec()), kind,
                  c10::toString(weight.scalar_type()), format_shape(weight.sizes().vec()), slot.substr(10)));
            }
            pieces[slot].push_back(value.reshape({-1}));
            ++next;
          }
        }
        for (auto& [slot, parts] : pieces) file.tensors.emplace_back(slot, torch::cat(parts));
      }
      for (const std::string& scalar : scalars) {
        const torch::Tensor& value = variables[next];
        const torch::Tensor& ours_value = ours.at(scalar);
        if (value.numel() != 1 || value.scalar_type() != ours_value.scalar_type()) {
          throw Error(
              fmt::format("\"{}\": optimizer/vars/{} is {} of shape {}; the {} optimizer expects a {} scalar ({})",
                          weights_what, next, c10::toString(value.scalar_type()), format_shape(value.sizes().vec()),
                          kind, c10::toString(ours_value.scalar_type()), scalar.substr(10)));
        }
        file.tensors.emplace_back(scalar, value.reshape({}));
        ++next;
      }
    } else {
      for (const auto& [name, tensor] : ours) {  // no step yet: the fresh state
        if (name != "optimizer.iterations") file.tensors.emplace_back(name, tensor.detach().cpu().clone());
      }
    }
  }
  restore(*model, file, weights_what);
  // Keras keeps the learning rate in use as a float32 variable, the compile config's as a double:
  // the variable wins when the two differ beyond its rounding (ReduceLROnPlateau changed it).
  if (learning_rate && static_cast<float>(*learning_rate) != static_cast<float>(model->learning_rate())) {
    model->set_learning_rate(*learning_rate);
  }
  return model;
}

}  // namespace tkeras::saving::detail
