// Functional models: a graph of layer calls from symbolic inputs to outputs, run, written and read as Keras's.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "io/onnx_graph.h"
#include "layers/activity_losses.h"
#include "layers/keras_format.h"
#include "layers/registry.h"
#include "layers/serialization.h"
#include "models/graph.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/model.h"

namespace tkeras {

using models::detail::Graph;

Model::Model(const KerasTensors& inputs, const KerasTensors& outputs, const ModelOptions& options)
    : Model("functional", options.name) {
  graph_ = models::detail::map_graph(inputs, outputs, fmt::format("Functional \"{}\"", name()));
  // Named within the model by kind and position, as Keras 3 saves them (input_layer, dense, dense_1...).
  std::map<std::string, int> counts;
  for (const auto& layer : graph_->layers) {
    const int index = counts[layer->base_name()]++;
    add_sublayer(index == 0 ? layer->base_name() : fmt::format("{}_{}", layer->base_name(), index), layer);
  }
  if (inputs.size() == 1) {
    build(inputs.front().shape());
  } else {
    std::vector<Shape> shapes;
    for (const KerasTensor& input : inputs) shapes.push_back(input.shape());
    build_list(shapes);
  }
  if (!options.trainable) set_trainable(false);
}

const Graph& Model::graph() const {
  if (!graph_) throw Error(fmt::format("{} \"{}\": is not a Functional model", class_name(), name()));
  return *graph_;
}

const KerasTensors& Model::inputs() const {
  if (!graph_)
    throw Error(fmt::format("{} \"{}\": has no symbolic inputs; only a Functional model has", class_name(), name()));
  return graph_->inputs;
}

const KerasTensors& Model::outputs() const {
  if (!graph_)
    throw Error(fmt::format("{} \"{}\": has no symbolic outputs; only a Functional model has", class_name(), name()));
  return graph_->outputs;
}

std::vector<std::shared_ptr<const layers::Node>> Model::nodes() const {
  std::vector<std::shared_ptr<const layers::Node>> nodes;
  if (!graph_) return nodes;
  for (const auto& depth : graph_->nodes_by_depth) {
    for (const auto& node : depth) {
      if (!node->is_input()) nodes.push_back(node);
    }
  }
  return nodes;
}

std::vector<std::shared_ptr<layers::Layer>> Model::layers() const { return graph_ ? graph_->layers : sublayers(); }

std::string Model::class_name() const { return "Functional"; }

bool Model::takes_list() const { return graph_ && graph_->inputs.size() > 1; }

bool Model::takes_integer_inputs() const {
  if (!graph_ || graph_->inputs.size() != 1) return false;
  const std::string& dtype = graph_->inputs.front().dtype();
  if (dtype != "float32" && dtype != "string") return true;
  // As Keras's Embedding, which takes float32 ids too: a model whose input goes to one takes integers.
  for (const auto& step : graph_->steps) {
    for (size_t slot : step.inputs) {
      if (slot == 0 && step.layer->takes_integer_inputs()) return true;
    }
  }
  return false;
}

const layers::Layer& Model::output_layer() const {
  const Graph& g = graph();
  const layers::Layer& last = *g.outputs.front().layer();
  if (const auto* model = dynamic_cast<const Model*>(&last)) return model->output_layer();
  return last;
}

std::string Model::activation() const {
  if (!graph_ || graph_->outputs.size() != 1) return "linear";
  return output_activations().front();
}

std::vector<std::string> Model::output_activations() const {
  return graph_ ? graph_->output_activations : std::vector<std::string>{activation()};
}

std::vector<torch::Tensor> Model::call_logits(const std::vector<torch::Tensor>& inputs, bool training) {
  if (!graph_) return Layer::call_logits(inputs, training);
  std::vector<torch::Tensor> outputs;
  for (auto& [output, mask] : run(inputs, {}, training, /*logits=*/true)) outputs.push_back(std::move(output));
  return outputs;
}

std::vector<std::string> Model::output_names() const {
  if (!graph_) return {output_layer().name()};
  std::vector<std::string> names;
  for (const KerasTensor& output : graph_->outputs) names.push_back(output.layer()->name());
  return names;
}

std::vector<std::string> Model::input_names() const {
  std::vector<std::string> names;
  if (graph_) {
    for (const KerasTensor& input : graph_->inputs) names.push_back(input.layer()->name());
  }
  return names;
}

std::vector<Shape> Model::output_shapes() const {
  if (!graph_) return {output_shape()};
  std::vector<Shape> shapes;
  for (const KerasTensor& output : graph_->outputs) shapes.push_back(output.shape());
  return shapes;
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Model::run(const std::vector<torch::Tensor>& inputs,
                                                                const std::vector<torch::Tensor>& masks, bool training,
                                                                bool logits) const {
  const Graph& g = graph();
  if (inputs.size() != g.inputs.size()) {
    throw Error(fmt::format("Functional \"{}\": expected {} input tensor(s), received {}", name(), g.inputs.size(),
                            inputs.size()));
  }
  std::vector<std::pair<torch::Tensor, torch::Tensor>> values(g.slots);
  for (size_t i = 0; i < inputs.size(); ++i) values[i] = {inputs[i], i < masks.size() ? masks[i] : torch::Tensor()};
  std::vector<torch::Tensor> step_inputs, step_masks;
  for (const models::detail::Step& step : g.steps) {
    const bool mode = step.node->training.value_or(training);
    if (step.plain) {
      const auto& [x, mask] = values[step.inputs.front()];
      if (logits && g.logits_slot[step.outputs.front()]) {
        values[step.outputs.front()] = {step.layer->call_without_activation(x, mode), torch::Tensor()};
        layers::detail::ActivityLosses::record_logits(*step.layer, values[step.outputs.front()].first);
      } else {
        values[step.outputs.front()] = step.layer->call_and_mask(x, mask, mode);
        layers::detail::ActivityLosses::record(*step.layer, values[step.outputs.front()].first);
      }
    } else {
      step_inputs.clear();
      step_masks.clear();
      for (size_t slot : step.inputs) {
        step_inputs.push_back(values[slot].first);
        step_masks.push_back(values[slot].second);
      }
      auto outputs = step.layer->call_node(*step.node, step_inputs, step_masks, mode);
      for (size_t i = 0; i < step.outputs.size(); ++i) {
        layers::detail::ActivityLosses::record(*step.layer, outputs[i].first);
        values[step.outputs[i]] = std::move(outputs[i]);
      }
    }
    for (size_t slot : step.release) values[slot] = {};
  }
  std::vector<std::pair<torch::Tensor, torch::Tensor>> outputs;
  outputs.reserve(g.output_slots.size());
  for (size_t slot : g.output_slots) outputs.push_back(values[slot]);
  return outputs;
}

namespace {

void require_one_output(const Model& model, const Graph& g, std::string_view what) {
  if (g.outputs.size() != 1) {
    throw Error(
        fmt::format("Functional \"{}\": {} gives one tensor, and the model has {} outputs; call "
                    "model({{inputs...}}) for all of them",
                    model.name(), what, g.outputs.size()));
  }
}

}  // namespace

torch::Tensor Model::call(const torch::Tensor& inputs, bool training) {
  return call_and_mask(inputs, torch::Tensor(), training).first;
}

torch::Tensor Model::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) {
  return call_and_mask(inputs, mask, training).first;
}

std::pair<torch::Tensor, torch::Tensor> Model::call_and_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                             bool training) {
  require_one_output(*this, graph(), "call");
  return run({inputs}, {mask}, training, /*logits=*/false).front();
}

torch::Tensor Model::call_list(const std::vector<torch::Tensor>& inputs, bool training) {
  require_one_output(*this, graph(), "call");
  return run(inputs, {}, training, /*logits=*/false).front().first;
}

torch::Tensor Model::call_without_activation(const torch::Tensor& inputs, bool training) {
  require_one_output(*this, graph(), "call");
  return run({inputs}, {}, training, /*logits=*/true).front().first;
}

torch::Tensor Model::compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const {
  const torch::NoGradGuard no_grad;
  const layers::detail::ActivityLosses not_a_step;  // this pass's penalties are not the step's
  return run({inputs}, {mask}, /*training=*/false, /*logits=*/false).front().second;
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> Model::call_node(const layers::Node& node,
                                                                      const std::vector<torch::Tensor>& inputs,
                                                                      const std::vector<torch::Tensor>& masks,
                                                                      bool training) {
  if (!graph_) return Layer::call_node(node, inputs, masks, training);
  return run(inputs, masks, training, /*logits=*/false);
}

std::vector<torch::Tensor> Model::operator()(const std::vector<torch::Tensor>& inputs, bool training) {
  std::vector<torch::Tensor> outputs;
  if (!graph_) {
    if (inputs.size() != 1) {
      throw Error(
          fmt::format("{} \"{}\": expected one input tensor, received {}", class_name(), name(), inputs.size()));
    }
    outputs.push_back(call(inputs.front(), training));
    return outputs;
  }
  for (auto& [output, mask] : run(inputs, {}, training, /*logits=*/false)) outputs.push_back(std::move(output));
  return outputs;
}

namespace {

std::string shapes_text(const std::vector<Shape>& shapes) {
  std::vector<std::string> texts;
  for (const Shape& shape : shapes) texts.push_back(format_batch_shape(shape));
  return shapes.size() == 1 ? texts.front() : fmt::format("[{}]", fmt::join(texts, ", "));
}

}  // namespace

std::vector<Shape> Model::build_call(const std::vector<Shape>& input_shapes, bool list, const Config& arguments) {
  if (!graph_) return Layer::build_call(input_shapes, list, arguments);
  std::vector<Shape> expected;
  for (const KerasTensor& input : graph_->inputs) expected.push_back(input.shape());
  if (input_shapes != expected) {
    throw Error(fmt::format("Functional \"{}\": expected input shape {}, received {}", name(), shapes_text(expected),
                            shapes_text(input_shapes)));
  }
  std::vector<Shape> shapes;
  for (const KerasTensor& output : graph_->outputs) shapes.push_back(output.shape());
  return shapes;
}

Shape Model::build_weights(const Shape& input_shape) { return build_list_weights({input_shape}); }

Shape Model::build_list_weights(const std::vector<Shape>& input_shapes) {
  if (!graph_) return Layer::build_list_weights(input_shapes);
  return build_call(input_shapes, input_shapes.size() > 1, Config::object()).front();
}

// The config, as Keras's Functional.get_config.

namespace {

bool is_functional(const layers::Layer& layer) {
  const auto* model = dynamic_cast<const Model*>(&layer);
  return model != nullptr && model->functional();
}

// The index Keras writes for `node` of its layer within `g`: among the layer's calls that are the
// model's.
int own_index(const Graph& g, const layers::Node& node) {
  int index = 0;
  for (const auto& other : node.layer->inbound_nodes()) {
    if (other.get() == &node) return index;
    if (g.owns(other.get())) ++index;
  }
  return index;
}

Config tensor_entry(const Graph& g, const KerasTensor& tensor) {
  Config shape = Config::array({nullptr});
  for (int64_t size : tensor.shape()) shape.push_back(size);
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", shape},
            {"dtype", tensor.dtype()},
            {"keras_history", {tensor.layer()->name(), own_index(g, *tensor.node()), tensor.tensor_index()}}}}};
}

// input_layers and output_layers: [name, node, tensor] for one tensor given alone, else a list of
// them. Keras counts a Functional layer's calls from 1 there (its node 0 is its own graph).
Config tensors_entry(const Graph& g, const KerasTensors& tensors) {
  const auto leaf = [&](const KerasTensor& tensor) {
    const int offset = is_functional(*tensor.layer()) ? 1 : 0;
    return Config::array({tensor.layer()->name(), own_index(g, *tensor.node()) + offset, tensor.tensor_index()});
  };
  if (tensors.single()) return leaf(tensors.front());
  Config list = Config::array();
  for (const KerasTensor& tensor : tensors) list.push_back(leaf(tensor));
  return list;
}

Config node_entries(const Graph& g, const layers::Layer& layer) {
  Config nodes = Config::array();
  for (const auto& node : layer.inbound_nodes()) {
    if (!g.owns(node.get()) || node->is_input()) continue;
    Config args = Config::array();
    Config kwargs = Config::object();
    const layers::Layer::CallSignature signature = layer.call_signature();
    if (!signature.tensors.empty()) {
      // Named tensor arguments (or numbers in their place): the first ones by position, as Keras's
      // call(query, value, key=...).
      const Config& names = node->arguments.at("inputs");
      std::map<std::string, Config> given;
      for (size_t i = 0; i < node->inputs.size(); ++i) {
        given[names.at(i).get<std::string>()] = tensor_entry(g, node->inputs[i]);
      }
      for (const std::string& name : signature.tensors) {
        if (const auto number = node->arguments.find(name); number != node->arguments.end()) given[name] = *number;
      }
      for (size_t i = 0; i < signature.tensors.size(); ++i) {
        const auto value = given.find(signature.tensors[i]);
        if (value == given.end()) continue;
        if (i < signature.positional && args.size() == i) {
          args.push_back(value->second);
        } else {
          kwargs[value->first] = value->second;
        }
      }
    } else if (node->list) {
      Config list = Config::array();
      for (const KerasTensor& input : node->inputs) list.push_back(tensor_entry(g, input));
      args.push_back(std::move(list));
    } else {
      args.push_back(tensor_entry(g, node->inputs.front()));
    }
    for (const auto& [key, value] : node->arguments.items()) {
      if (key != "inputs" && std::ranges::find(signature.tensors, key) == signature.tensors.end()) kwargs[key] = value;
    }
    if (node->training) kwargs["training"] = *node->training;
    nodes.push_back({{"args", args}, {"kwargs", kwargs}});
  }
  return nodes;
}

}  // namespace

Config Model::get_config() const {
  const Graph& g = graph();
  Config config = Layer::get_config();
  Config list = Config::array();
  for (const auto& layer : g.layers) {
    Config entry = layers::detail::serialize(*layer);
    entry["name"] = layer->name();
    entry["inbound_nodes"] = node_entries(g, *layer);
    list.push_back(std::move(entry));
  }
  config["layers"] = std::move(list);
  config["input_layers"] = tensors_entry(g, g.inputs);
  config["output_layers"] = tensors_entry(g, g.outputs);
  return config;
}

Config Model::to_keras(layers::keras_format::Writer& writer, const std::string& path) const {
  const Graph& g = graph();
  Config config = Layer::get_config();
  Config list = Config::array();
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const std::shared_ptr<layers::Layer>& layer = g.layers[i];
    Config entry;
    if (const auto* input = dynamic_cast<const layers::Input*>(layer.get())) {
      entry = layers::keras_format::entry(*input, input->get_config());
      entry["config"]["dtype"] = input->dtype();
      entry["config"]["sparse"] = false;
      entry["config"]["ragged"] = false;
      entry["config"]["optional"] = false;
    } else {
      // At Keras's place for it: its class and a counter, as its weights (not its own name).
      entry = writer.entry(*layer, layers::keras_format::join(path, "layers/" + sublayer_names()[i]));
    }
    entry["name"] = layer->name();
    entry["inbound_nodes"] = node_entries(g, *layer);
    list.push_back(std::move(entry));
  }
  config["layers"] = std::move(list);
  config["input_layers"] = tensors_entry(g, g.inputs);
  config["output_layers"] = tensors_entry(g, g.outputs);
  Config entry = layers::keras_format::entry(*this, std::move(config), "keras.src.models.functional");
  entry["registered_name"] = "Functional";
  entry["build_config"] = {{"input_shape", nullptr}};
  return entry;
}

// Reading a config, as Keras's functional_from_config.

namespace {

// Keras 3 writes the masks its layers compute (an Embedding's `mask_zero`, Attention's query
// mask) as operation nodes of their own (NotEqual, LogicalOr, ConvertToTensor...), handed to the
// next layers as `mask=` arguments. tkeras computes the same masks as it runs the graph, so the
// operations that feed nothing but masks, and the `mask` arguments made of them, are dropped from
// the layers' list (`entries`) before it is read; Keras recomputes them from tkeras's files.
void drop_mask_operations(Config& entries, const Config& model_outputs) {
  std::set<std::string> candidates;
  for (const Config& entry : entries) {
    if (entry.is_object() && entry.value("module", Config()).is_string() &&
        entry["module"].get<std::string>().starts_with("keras.src.ops.") && entry.value("name", Config()).is_string()) {
      candidates.insert(entry["name"].get<std::string>());
    }
  }
  if (candidates.empty()) return;
  // Which layers each argument reads: the layers named in its tensors' keras_history.
  const auto read_layers = [](const Config& argument, std::set<std::string>& into) {
    const auto walk = [&into](const auto& self, const Config& value) -> void {
      if (value.is_array()) {
        for (const Config& item : value) self(self, item);
      } else if (value.is_object()) {
        if (value.value("class_name", Config()) == "__keras_tensor__" && value.contains("config") &&
            value["config"].is_object()) {
          const Config history = value["config"].value("keras_history", Config());
          if (history.is_array() && !history.empty() && history[0].is_string())
            into.insert(history[0].get<std::string>());
          return;
        }
        for (const auto& [key, item] : value.items()) self(self, item);
      }
    };
    walk(walk, argument);
  };
  // reader -> the layers it reads as data (not as a mask); the outputs read as data too.
  std::map<std::string, std::set<std::string>> data_reads;
  for (const Config& entry : entries) {
    if (!entry.is_object() || !entry.value("name", Config()).is_string()) continue;
    std::set<std::string>& reads = data_reads[entry["name"].get<std::string>()];
    const Config nodes = entry.value("inbound_nodes", Config::array());
    if (!nodes.is_array()) continue;
    for (const Config& node : nodes) {
      if (!node.is_object()) continue;
      read_layers(node.value("args", Config()), reads);
      const Config kwargs = node.value("kwargs", Config::object());
      if (!kwargs.is_object()) continue;
      for (const auto& [key, value] : kwargs.items()) {
        if (key != "mask") read_layers(value, reads);
      }
    }
  }
  // The outputs, as [layer, node, tensor] entries (or a list of them).
  std::set<std::string> output_reads;
  const auto outputs = [&output_reads](const auto& self, const Config& entry) -> void {
    if (!entry.is_array()) return;
    if (entry.size() == 3 && entry[0].is_string()) {
      output_reads.insert(entry[0].get<std::string>());
      return;
    }
    for (const Config& item : entry) self(self, item);
  };
  outputs(outputs, model_outputs);
  // An operation stays when something other than a dropped operation reads it as data.
  std::set<std::string> dropped = candidates;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = dropped.begin(); it != dropped.end();) {
      bool kept = output_reads.contains(*it);
      for (const auto& [reader, reads] : data_reads) {
        if (!kept && reads.contains(*it) && !dropped.contains(reader)) kept = true;
      }
      if (kept) {
        it = dropped.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
  }
  if (dropped.empty()) return;
  Config kept = Config::array();
  for (Config& entry : entries) {
    if (entry.is_object() && entry.value("name", Config()).is_string() &&
        dropped.contains(entry["name"].get<std::string>())) {
      continue;
    }
    if (entry.is_object() && entry.contains("inbound_nodes") && entry["inbound_nodes"].is_array()) {
      for (Config& node : entry["inbound_nodes"]) {
        if (!node.is_object() || !node.contains("kwargs") || !node["kwargs"].is_object()) continue;
        Config& kwargs = node["kwargs"];
        if (!kwargs.contains("mask")) continue;
        std::set<std::string> masks;
        read_layers(kwargs["mask"], masks);
        if (std::ranges::all_of(masks, [&](const std::string& name) { return dropped.contains(name); })) {
          kwargs.erase("mask");
        }
      }
    }
    kept.push_back(std::move(entry));
  }
  entries = std::move(kept);
}

struct Rebuild {
  std::map<std::string, std::shared_ptr<layers::Layer>> layers;
  std::map<std::string, std::vector<std::shared_ptr<const layers::Node>>> nodes;  // calls made here, in order

  // The tensor of a keras_history [layer, node, tensor], or none when that call is not made yet.
  std::optional<KerasTensor> tensor(const Config& history, int offset, const std::string& where) const {
    if (!history.is_array() || history.size() != 3 || !history[0].is_string() || !history[1].is_number_integer() ||
        !history[2].is_number_integer()) {
      throw Error(fmt::format("{}: expected a tensor as [layer, node, tensor], received {}", where,
                              history.dump().substr(0, 120)));
    }
    const std::string name = history[0].get<std::string>();
    const auto calls = nodes.find(name);
    if (calls == nodes.end()) throw Error(fmt::format("{}: no layer named \"{}\" in the model", where, name));
    const int64_t node = history[1].get<int64_t>() - offset;
    const int64_t index = history[2].get<int64_t>();
    if (node < 0)
      throw Error(fmt::format("{}: expected a node index >= {}, received {}", where, offset, node + offset));
    if (node >= static_cast<int64_t>(calls->second.size())) return std::nullopt;
    const auto& made = calls->second[static_cast<size_t>(node)];
    if (index < 0 || index >= static_cast<int64_t>(made->output_shapes.size())) {
      throw Error(fmt::format("{}: layer \"{}\" has no output {}", where, name, index));
    }
    return KerasTensor(made, static_cast<int>(index));
  }

  // The tensors of an argument: one tensor entry, or a list of them.
  std::optional<std::pair<KerasTensors, bool>> arguments(const Config& arg, const std::string& where) const {
    const auto one = [&](const Config& entry) -> std::optional<KerasTensor> {
      if (!entry.is_object() || entry.value("class_name", Config()) != "__keras_tensor__" ||
          !entry.contains("config") || !entry["config"].is_object()) {
        throw Error(fmt::format("{}: expected a symbolic tensor (__keras_tensor__), received {}", where,
                                entry.dump().substr(0, 120)));
      }
      return tensor(entry["config"].value("keras_history", Config()), 0, where);
    };
    if (arg.is_array()) {
      std::vector<KerasTensor> list;
      for (const Config& entry : arg) {
        auto made = one(entry);
        if (!made) return std::nullopt;
        list.push_back(*made);
      }
      return std::pair{KerasTensors(std::move(list)), true};
    }
    auto made = one(arg);
    if (!made) return std::nullopt;
    return std::pair{KerasTensors(*made), false};
  }
};

// One call of a node entry {"args": [tensor or list], "kwargs": {...}}, if its inputs exist yet.
bool call_entry(Rebuild& rebuild, const std::shared_ptr<layers::Layer>& layer, const Config& node,
                const std::string& where) {
  const layers::Layer::CallSignature signature = layer->call_signature();
  const bool named = !signature.tensors.empty();
  const size_t most_args = named ? signature.positional : 1;
  if (!node.is_object() || !node.contains("args") || !node["args"].is_array() || node["args"].size() > most_args ||
      (!named && node["args"].size() != 1)) {
    throw Error(fmt::format("{}: expected a call as {{\"args\": [inputs], \"kwargs\": {{}}}}, received {}", where,
                            node.dump().substr(0, 120)));
  }
  CallOptions options;
  // A layer of named tensor arguments: those given by position, then those given by name.
  std::map<std::string, Config> tensors;
  if (named) {
    for (size_t i = 0; i < node["args"].size(); ++i) {
      const Config& arg = node["args"][i];
      if (arg.is_number()) {
        options.arguments[signature.tensors[i]] = arg;  // a number in place of a tensor (`x + 1`)
      } else {
        tensors[signature.tensors[i]] = arg;
      }
    }
  }
  if (const auto kwargs = node.find("kwargs"); kwargs != node.end() && !kwargs->is_null()) {
    if (!kwargs->is_object()) throw Error(fmt::format("{}: expected \"kwargs\" as an object", where));
    for (const auto& [key, value] : kwargs->items()) {
      if (key == "training" && value.is_boolean()) {
        options.training = value.get<bool>();
      } else if (key == "training" && value.is_null()) {
      } else if (key == "mask" && value.is_null()) {
      } else if (named && std::ranges::find(signature.tensors, key) != signature.tensors.end()) {
        if (value.is_number()) {
          options.arguments[key] = value;  // a number in place of a tensor (`x + 1`)
        } else if (!value.is_null()) {
          tensors[key] = value;
        }
      } else if (std::ranges::find(signature.keywords, key) != signature.keywords.end()) {
        options.arguments[key] = value;
      } else {
        throw Error(fmt::format("{}: the call's argument {} = {} is not supported by tkeras", where, key,
                                value.dump().substr(0, 120)));
      }
    }
  }
  std::optional<std::pair<KerasTensors, bool>> arguments;
  if (named) {
    std::vector<KerasTensor> inputs;
    Config names = Config::array();
    for (const std::string& name : signature.tensors) {
      const auto given = tensors.find(name);
      if (given == tensors.end()) continue;
      auto made = rebuild.arguments(given->second, where);
      if (!made) return false;
      if (made->second || made->first.size() != 1) {
        throw Error(fmt::format("{}: expected one tensor as the argument {}, received a list", where, name));
      }
      inputs.push_back(made->first.front());
      names.push_back(name);
    }
    options.arguments["inputs"] = std::move(names);
    arguments = std::pair{KerasTensors(std::move(inputs)), true};
  } else {
    arguments = rebuild.arguments(node["args"][0], where);
    if (!arguments) return false;
  }
  std::vector<KerasTensor> outputs = layer->call_symbolic(arguments->first, arguments->second, options);
  rebuild.nodes[layer->name()].push_back(outputs.front().node());
  return true;
}

KerasTensors tensors_from(const Rebuild& rebuild, const Config& entry, const std::string& what) {
  const auto leaf = [&](const Config& history) {
    const std::string name = history.is_array() && !history.empty() && history[0].is_string()
                                 ? history[0].get<std::string>()
                                 : std::string();
    const auto layer = rebuild.layers.find(name);
    const int offset = layer != rebuild.layers.end() && is_functional(*layer->second) ? 1 : 0;
    auto tensor = rebuild.tensor(history, offset, what);
    if (!tensor) throw Error(fmt::format("{}: layer \"{}\" is never called", what, name));
    return *tensor;
  };
  if (entry.is_array() && entry.size() == 3 && entry[0].is_string()) return KerasTensors(leaf(entry));
  std::vector<KerasTensor> list;
  if (entry.is_array()) {
    for (const Config& item : entry) list.push_back(leaf(item));
  } else if (entry.is_object()) {  // a dict: its tensors in the order of its keys, as Keras flattens one
    for (const auto& [key, item] : entry.items()) list.push_back(leaf(item));
  } else {
    throw Error(fmt::format("{}: expected a tensor or a list of them, received {}", what, entry.dump().substr(0, 120)));
  }
  return KerasTensors(std::move(list));
}

}  // namespace

const layers::registry::Registrar<Model> functional_registration("Functional");

std::shared_ptr<Model> Model::from_config(const Config& config, const layers::CustomObjects& custom_objects) {
  const ConfigReader read(config);
  Config entries = read.at("layers");
  if (!entries.is_array())
    throw Error(fmt::format("expected \"layers\" as a list of layers, received {}", entries.dump().substr(0, 120)));
  drop_mask_operations(entries, read.at("output_layers"));
  Rebuild rebuild;
  std::vector<std::pair<std::shared_ptr<layers::Layer>, std::vector<Config>>> pending;
  std::vector<std::string> unknown;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Config& entry = entries[i];
    const std::string name = entry.is_object() ? entry.value("name", std::string()) : std::string();
    const std::string where =
        fmt::format("layer {}{}{}", i, layers::detail::class_label(entry), name.empty() ? "" : " \"" + name + "\"");
    if (name.empty()) throw Error(fmt::format("{}: expected a \"name\"", where));
    std::shared_ptr<layers::Layer> layer;
    std::shared_ptr<const layers::Node> input_node;
    try {
      if (layers::Input::is_entry(entry)) {
        Config input = entry.contains("config") ? entry["config"] : Config::object();
        auto made = layers::Input::from_config(input);
        input_node = layers::Input::input_node(made);
        layer = made;
      } else {
        layer = layers::detail::deserialize(entry, custom_objects);
      }
    } catch (const Error& error) {
      const std::string message = error.what();
      // Every unknown class at once, as a user needs them all.
      if (message.find("unknown layer class") != std::string::npos) {
        unknown.push_back(layers::detail::class_label(entry).empty() ? where : entry["class_name"].get<std::string>());
        continue;
      }
      throw Error(fmt::format("{}: {}", where, message));
    }
    if (rebuild.layers.contains(name)) throw Error(fmt::format("{}: a layer named \"{}\" comes twice", where, name));
    rebuild.layers[name] = layer;
    auto& calls = rebuild.nodes[name];
    if (input_node) calls.push_back(input_node);
    const Config nodes = entry.value("inbound_nodes", Config::array());
    if (!nodes.is_array()) throw Error(fmt::format("{}: expected \"inbound_nodes\" as a list", where));
    pending.emplace_back(layer, std::vector<Config>(nodes.begin(), nodes.end()));
  }
  if (!unknown.empty()) {
    std::set<std::string> classes(unknown.begin(), unknown.end());
    throw Error(fmt::format("the model needs layer classes tkeras does not have: {}; tkeras has: {}",
                            fmt::join(classes, ", "), fmt::join(layers::registry::names(), ", ")));
  }
  // Calls in order of the layers, each as soon as its inputs exist, as Keras's loop.
  for (bool progress = true; progress;) {
    progress = false;
    for (auto& [layer, nodes] : pending) {
      size_t done = 0;
      while (done < nodes.size() &&
             call_entry(rebuild, layer, nodes[done], fmt::format("layer \"{}\" call {}", layer->name(), done))) {
        ++done;
      }
      if (done > 0) {
        nodes.erase(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(done));
        progress = true;
      }
    }
  }
  for (const auto& [layer, nodes] : pending) {
    if (!nodes.empty()) {
      throw Error(
          fmt::format("layer \"{}\": a call reads a tensor no layer makes (a loop or a missing layer)", layer->name()));
    }
  }
  const KerasTensors inputs = tensors_from(rebuild, read.at("input_layers"), "input_layers");
  const KerasTensors outputs = tensors_from(rebuild, read.at("output_layers"), "output_layers");
  auto model = std::make_shared<Model>(inputs, outputs, ModelOptions{.name = read.string("name", "")});
  return configured(std::move(model), config);
}

Config Model::from_keras(const Config& entry, layers::keras_format::Reader& reader, const std::string& path,
                         const std::string& where) {
  Config out = entry;
  Config& list = out["config"]["layers"];
  if (!list.is_array()) throw Error(fmt::format("{}: expected \"layers\" as a list", where));
  drop_mask_operations(list, out["config"].value("output_layers", Config()));
  std::vector<std::string> unknown;
  layers::keras_format::SavedNames saved;
  for (size_t i = 0; i < list.size(); ++i) {
    Config& layer = list[i];
    const std::string name = layer.is_object() ? layer.value("name", std::string()) : std::string();
    const std::string label =
        fmt::format("layer {}{}{}", i, layers::detail::class_label(layer), name.empty() ? "" : " \"" + name + "\"");
    if (!layer.is_object())
      throw Error(fmt::format("{}: expected an object", where.empty() ? label : where + " " + label));
    const Config nodes = layer.value("inbound_nodes", Config::array());
    const std::string kind = layer.value("class_name", std::string());
    const std::string saved_name = saved.next(kind);  // where Keras put its variables and assets
    if (kind.empty() || (layers::registry::find(kind) == nullptr && !reader.custom_objects().contains(kind) &&
                         !(layer.contains("registered_name") && layer["registered_name"].is_string() &&
                           reader.custom_objects().contains(layer["registered_name"].get<std::string>())))) {
      unknown.push_back(kind.empty() ? label : kind);
      continue;
    }
    Config read = reader.entry(layer, layers::keras_format::join(path, "layers/" + saved_name),
                               where.empty() ? label : where + " " + label);
    read["name"] = name;
    read["inbound_nodes"] = nodes;
    layer = std::move(read);
  }
  if (!unknown.empty()) {
    std::set<std::string> classes(unknown.begin(), unknown.end());
    throw Error(fmt::format("{}{}the model needs layer classes tkeras does not have: {}", where,
                            where.empty() ? "" : ": ", fmt::join(classes, ", ")));
  }
  return out;
}

io::onnx::Value Model::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  return to_onnx_list(graph, {inputs});
}

io::onnx::Value Model::to_onnx_list(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const {
  const Graph& g = this->graph();
  if (g.outputs.size() != 1) {
    throw Error(fmt::format("export_onnx: Functional \"{}\" has {} outputs; tkeras exports models of one output",
                            name(), g.outputs.size()));
  }
  std::vector<std::optional<io::onnx::Value>> values(g.slots);
  for (size_t i = 0; i < inputs.size(); ++i) values[i] = inputs[i];
  for (const models::detail::Step& step : g.steps) {
    if (step.outputs.size() != 1) {
      throw Error(fmt::format("export_onnx: layer \"{}\" has {} outputs; tkeras exports layers of one output",
                              step.layer->name(), step.outputs.size()));
    }
    std::vector<io::onnx::Value> read;
    for (size_t slot : step.inputs) read.push_back(*values[slot]);
    values[step.outputs.front()] = step.layer->to_onnx_node(graph, *step.node, read);
  }
  return *values[g.output_slots.front()];
}

}  // namespace tkeras
