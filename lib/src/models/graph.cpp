// Mapping a Functional model's graph as Keras's map_graph does, and planning its run.
#include "models/graph.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"
#include "tkeras/layers/input.h"

namespace tkeras::models::detail {
namespace {

using layers::Node;
using TensorKey = std::pair<const Node*, int>;

TensorKey key(const KerasTensor& tensor) { return {tensor.node().get(), tensor.tensor_index()}; }

std::string tensor_label(const KerasTensor& tensor) {
  return fmt::format("KerasTensor(shape={}, name={})", format_batch_shape(tensor.shape()), tensor.layer()->name());
}

// Keras's _build_map: a depth-first search from the outputs, which lists the nodes from the inputs
// on and numbers the layers in the order it meets them.
struct Search {
  const std::set<TensorKey>& inputs;
  std::set<const Node*> finished;
  std::set<const Node*> in_progress;
  std::vector<std::shared_ptr<const Node>> nodes;
  std::map<const layers::Layer*, int> layer_index;
  std::set<TensorKey> reached;  // the inputs the search came to

  void visit(const KerasTensor& tensor) {
    const std::shared_ptr<const Node>& node = tensor.node();
    if (inputs.contains(key(tensor))) reached.insert(key(tensor));
    if (finished.contains(node.get())) return;
    // A tensor inside another graph given as an input: the search stops there.
    if (!node->is_input() && inputs.contains(key(tensor))) {
      finished.insert(node.get());
      return;
    }
    if (in_progress.contains(node.get())) {
      throw Error(fmt::format("{} from layer \"{}\" is part of a cycle", tensor_label(tensor), node->layer->name()));
    }
    layer_index.emplace(node->layer.get(), static_cast<int>(layer_index.size()));
    in_progress.insert(node.get());
    for (const KerasTensor& input : node->inputs) visit(input);
    finished.insert(node.get());
    in_progress.erase(node.get());
    nodes.push_back(node);
  }
};

// A dict in insertion order, as the Python dicts Keras's map_graph fills.
template <typename K>
struct Ordered {
  std::vector<std::pair<K, int>> items;
  std::map<K, size_t> where;

  int* find(const K& k) {
    const auto found = where.find(k);
    return found == where.end() ? nullptr : &items[found->second].second;
  }
  int& set(const K& k, int value) {
    if (int* existing = find(k)) return *existing = value;
    where.emplace(k, items.size());
    items.emplace_back(k, value);
    return items.back().second;
  }
};

}  // namespace

bool Graph::owns(const Node* node) const {
  for (const auto& depth : nodes_by_depth) {
    for (const auto& own : depth) {
      if (own.get() == node) return true;
    }
  }
  return false;
}

bool Graph::sequential_like() const {
  std::set<const layers::Layer*> seen;
  for (const auto& depth : nodes_by_depth) {
    if (depth.size() > 1 || (depth.size() == 1 && depth.front()->inputs.size() > 1)) return false;
    for (const auto& node : depth) {
      if (!seen.insert(node->layer.get()).second) return false;  // a shared layer
    }
  }
  return true;
}

std::shared_ptr<Graph> map_graph(const KerasTensors& inputs, const KerasTensors& outputs, const std::string& label) {
  if (inputs.empty()) throw Error(fmt::format("{}: expected at least one input, received none", label));
  if (outputs.empty()) throw Error(fmt::format("{}: expected at least one output, received none", label));
  std::set<TensorKey> input_keys;
  for (const KerasTensor& input : inputs) {
    if (!input_keys.insert(key(input)).second) {
      throw Error(fmt::format("{}: the input {} is given twice", label, tensor_label(input)));
    }
  }
  Search search{.inputs = input_keys, .finished = {}, .in_progress = {}, .nodes = {}, .layer_index = {}, .reached = {}};
  for (const KerasTensor& output : outputs) search.visit(output);

  // Depths, as Keras: 0 at the outputs, one more than the deepest node a node feeds.
  const std::set<const Node*> in_graph = [&] {
    std::set<const Node*> all;
    for (const auto& node : search.nodes) all.insert(node.get());
    return all;
  }();
  Ordered<const Node*> node_depths;
  Ordered<const layers::Layer*> layer_depths;
  std::map<const Node*, std::shared_ptr<const Node>> node_of;
  for (auto it = search.nodes.rbegin(); it != search.nodes.rend(); ++it) {
    const Node* node = it->get();
    node_of[node] = *it;
    int depth = node_depths.find(node) ? *node_depths.find(node) : node_depths.set(node, 0);
    const int* previous = layer_depths.find(node->layer.get());
    depth = std::max(depth, previous ? *previous : 0);
    layer_depths.set(node->layer.get(), depth);
    node_depths.set(node, depth);
    for (const KerasTensor& input : node->inputs) {
      const Node* parent = input.node().get();
      if (!in_graph.contains(parent)) continue;
      const int* parent_depth = node_depths.find(parent);
      node_depths.set(parent, std::max(depth + 1, parent_depth ? *parent_depth : 0));
    }
  }
  // An input no output uses: as Keras, the model keeps it (its data is taken and not read), at
  // the outputs' depth, first, as a cut from a model of several inputs leaves some
  // (`Model(model.inputs(), layer->output())`). An Input no layer reads at all is a mistake, which
  // tkeras refuses (Keras takes it too).
  std::vector<KerasTensor> dangling;
  for (const KerasTensor& input : inputs) {
    if (search.reached.contains(key(input))) continue;
    if (input.node()->readers == 0) {
      dangling.push_back(input);  // refused once the graph is known to be connected
      continue;
    }
    if (!input.node()->is_input()) continue;
    const auto& node = input.node();
    node_of[node.get()] = node;
    node_depths.set(node.get(), 0);
    layer_depths.set(node->layer.get(), 0);
    search.layer_index[node->layer.get()] = -1;
  }

  auto graph = std::make_shared<Graph>();
  graph->inputs = inputs;
  graph->outputs = outputs;
  int max_depth = 0;
  for (const auto& [node, depth] : node_depths.items) max_depth = std::max(max_depth, depth);
  graph->nodes_by_depth.resize(static_cast<size_t>(max_depth) + 1);
  for (const auto& [node, depth] : node_depths.items) {
    graph->nodes_by_depth[static_cast<size_t>(max_depth - depth)].push_back(node_of.at(node));
  }
  std::vector<std::vector<const layers::Layer*>> layers_by_depth(static_cast<size_t>(max_depth) + 1);
  for (const auto& [layer, depth] : layer_depths.items)
    layers_by_depth[static_cast<size_t>(max_depth - depth)].push_back(layer);
  std::map<const layers::Layer*, std::shared_ptr<layers::Layer>> layer_of;
  for (const auto& [node, depth] : node_depths.items) layer_of[node->layer.get()] = node_of.at(node)->layer;
  for (auto& depth : layers_by_depth) {
    std::stable_sort(depth.begin(), depth.end(), [&](const layers::Layer* a, const layers::Layer* b) {
      return search.layer_index.at(a) < search.layer_index.at(b);
    });
    for (const layers::Layer* layer : depth) graph->layers.push_back(layer_of.at(layer));
  }

  // Every tensor a node reads must come from the inputs or an earlier node (Keras: "Graph disconnected").
  std::map<TensorKey, size_t> slot_of;
  for (const KerasTensor& input : inputs) slot_of.emplace(key(input), slot_of.size());
  std::vector<std::string> complete;
  for (const auto& depth : graph->nodes_by_depth) {
    for (const auto& node : depth) {
      if (node->is_input() && slot_of.contains({node.get(), 0})) continue;
      for (const KerasTensor& input : node->inputs) {
        if (!slot_of.contains(key(input))) {
          throw Error(fmt::format(
              "{}: graph disconnected: cannot find parent for tensor {} at layer \"{}\"; the inputs reach the layers "
              "[{}]; pass the tkeras::Input that {} comes from as an input of the model",
              label, tensor_label(input), node->layer->name(), fmt::join(complete, ", "), tensor_label(input)));
        }
      }
      if (node->is_input()) {
        throw Error(
            fmt::format("{}: graph disconnected: the output needs the input \"{}\" of shape {}, which is not "
                        "one of the model's inputs",
                        label, node->layer->name(), format_batch_shape(node->output_shapes.front())));
      }
      complete.push_back(fmt::format("\"{}\"", node->layer->name()));
      Step step;
      step.layer = node->layer.get();
      step.node = node.get();
      for (const KerasTensor& input : node->inputs) step.inputs.push_back(slot_of.at(key(input)));
      for (size_t i = 0; i < node->output_shapes.size(); ++i) {
        const size_t slot = slot_of.size();
        slot_of.emplace(TensorKey{node.get(), static_cast<int>(i)}, slot);
        step.outputs.push_back(slot);
      }
      step.plain = !node->list && node->inputs.size() == 1 && node->output_shapes.size() == 1;
      graph->steps.push_back(std::move(step));
    }
  }
  if (!dangling.empty()) {
    throw Error(fmt::format("{}: the input {} is not connected to any output; remove it from the inputs or use it",
                            label, tensor_label(dangling.front())));
  }
  graph->slots = slot_of.size();
  for (const KerasTensor& output : outputs) graph->output_slots.push_back(slot_of.at(key(output)));

  // As Keras, names are unique within a model: files and get_layer find layers by name.
  std::map<std::string, int> names;
  for (const auto& layer : graph->layers) ++names[layer->name()];
  for (const auto& [name, count] : names) {
    if (count > 1) {
      throw Error(fmt::format("{}: the name \"{}\" is used {} times in the model; all layer names should be unique",
                              label, name, count));
    }
  }

  // Each value is freed after the last step that reads it, unless it is an output.
  std::set<size_t> kept(graph->output_slots.begin(), graph->output_slots.end());
  std::set<size_t> released;
  graph->output_read.assign(graph->output_slots.size(), false);
  for (auto step = graph->steps.rbegin(); step != graph->steps.rend(); ++step) {
    for (size_t slot : step->inputs) {
      for (size_t o = 0; o < graph->output_slots.size(); ++o) {
        if (graph->output_slots[o] == slot) graph->output_read[o] = true;
      }
      if (!kept.contains(slot) && released.insert(slot).second) step->release.push_back(slot);
    }
  }
  // The activations the losses take off, decided once: the graph's layers keep theirs.
  graph->logits_slot.assign(graph->slots, false);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Node& node = *outputs[i].node();
    const bool plain = !node.is_input() && !node.list && node.inputs.size() == 1 && node.output_shapes.size() == 1;
    graph->output_activations.push_back(plain && !graph->output_read[i] ? node.layer->activation() : "linear");
    if (graph->output_activations.back() != "linear") graph->logits_slot[graph->output_slots[i]] = true;
  }
  return graph;
}

}  // namespace tkeras::models::detail
