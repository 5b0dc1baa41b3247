// A Functional model's graph: its layer calls in Keras's order, and the plan that runs them (internal).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tkeras/layers/keras_tensor.h"
#include "tkeras/layers/layer.h"

namespace tkeras::models::detail {

/// One layer call of the plan: where its inputs are, where its outputs go.
struct Step {
  layers::Layer* layer = nullptr;
  const layers::Node* node = nullptr;
  std::vector<size_t> inputs;   ///< Slots of the values it reads.
  std::vector<size_t> outputs;  ///< Slots it writes.
  std::vector<size_t> release;  ///< Slots no later step reads (freed after it).
  bool plain = false;           ///< One tensor in, one out: `call_and_mask` directly.
};

/// The graph of a Functional model, as Keras's `map_graph` makes it.
struct Graph {
  KerasTensors inputs;
  KerasTensors outputs;
  /// The model's nodes by depth, deepest (the inputs) first, as Keras's `_nodes_by_depth`.
  std::vector<std::vector<std::shared_ptr<const layers::Node>>> nodes_by_depth;
  /// Keras's `model.layers`: by depth, deepest first, then in the order the search met them.
  std::vector<std::shared_ptr<layers::Layer>> layers;
  std::vector<Step> steps;
  size_t slots = 0;
  std::vector<size_t> output_slots;
  /// For each output, whether a later step reads it too (its activation must then be applied).
  std::vector<bool> output_read;
  /// Each output's final activation, which the losses take off (`linear` where they cannot: an
  /// output that is not its layer's one output, or that a later step reads).
  std::vector<std::string> output_activations;
  /// For each slot, whether its step runs without its final activation when logits are asked.
  std::vector<bool> logits_slot;

  /// Whether `node` is one of the model's calls.
  bool owns(const layers::Node* node) const;
  /// Whether the model is a chain (one node per depth, one tensor into each, no shared layer), as
  /// Keras's summary decides between its two tables.
  bool sequential_like() const;
};

/// Maps the graph from `inputs` to `outputs` and plans its run. `label` names the model in
/// messages. Throws `tkeras::Error` for a tensor the inputs do not reach, an unused input, a
/// cycle, and two layers of one name.
std::shared_ptr<Graph> map_graph(const KerasTensors& inputs, const KerasTensors& outputs, const std::string& label);

}  // namespace tkeras::models::detail
