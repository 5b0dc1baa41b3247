// compile, fit, evaluate and predict: the model's trainer, Keras's training loop on LibTorch.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "distribute/process_group.h"
#include "layers/activity_losses.h"
#include "tkeras/core/denormals.h"
#include "tkeras/core/device.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/text_vectorization.h"
#include "tkeras/models/model.h"
#include "tkeras/training/callback_list.h"
#include "training/autocast.h"
#include "training/batches.h"
#include "training/compiled_state.h"
#include "training/epoch_iterator.h"
#include "training/metrics.h"
#include "training/regularization.h"
#include "training/sample_weight.h"
#include "training/train_step.h"

namespace tkeras {
namespace {

using training::Batches;
using training::EpochIterator;

std::string model_label(const Model& model) { return fmt::format("{} \"{}\"", model.class_name(), model.name()); }

std::string layer_label(const layers::Layer& layer) {
  return fmt::format("{} \"{}\"", layer.class_name(), layer.name());
}

training::CompiledState& require_compiled(const std::shared_ptr<training::CompiledState>& state, const Model& model,
                                          std::string_view entry) {
  if (!state) {
    throw Error(fmt::format("{}: {}() needs compile() first; call model.compile({{.optimizer = ..., .loss = ...}})",
                            model_label(model), entry));
  }
  if (!state->has_loss()) {
    throw Error(
        fmt::format("{}: {}() needs a loss; compile received none (pass .loss = \"...\")", model_label(model), entry));
  }
  return *state;
}

void check_batch_size(int64_t batch_size, std::string_view entry,
                      const distribute::detail::ProcessGroup* group = nullptr) {
  if (batch_size <= 0) throw Error(fmt::format("{}: expected a positive batch_size, received {}", entry, batch_size));
  // As Keras 3's DataParallel: batch_size is the global batch, split evenly across the processes.
  if (group != nullptr && batch_size % group->size() != 0) {
    throw Error(
        fmt::format("{}: batch_size is the global batch, split evenly across the {} processes; expected a "
                    "multiple of {}, received {}",
                    entry, group->size(), group->size(), batch_size));
  }
}

// Checks x against the model's input (building the model from it if needed) and returns it on
// the device: as float32 when it was not floating point already, unless the model takes integers.
torch::Tensor prepare_inputs(Model& model, const torch::Tensor& x, std::string_view entry) {
  if (model.functional() && model.inputs().size() > 1) {
    throw Error(
        fmt::format("{}: {} takes {} inputs ({}), received one tensor; pass them as tkeras::Data, by name "
                    "or position",
                    entry, model_label(model), model.inputs().size(), fmt::join(model.input_names(), ", ")));
  }
  if (!x.defined() || x.dim() < 1) {
    throw Error(fmt::format("{}: expected x as a tensor of shape [N, ...], received {}", entry,
                            x.defined() ? format_shape(x.sizes().vec()) : "an undefined tensor"));
  }
  // Keras (torch backend) casts a complex x to float32 and so drops its imaginary part, with only
  // a warning; tkeras refuses it, since that loses data.
  if (x.is_complex()) {
    throw Error(
        fmt::format("{}: expected x of a real dtype (floating point, integer or bool), received complex {}; "
                    "pass torch::real(x), torch::view_as_real(x) or x.abs() as the data",
                    entry, c10::toString(x.scalar_type())));
  }
  const Shape sample(x.sizes().begin() + 1, x.sizes().end());
  if (!model.built()) {
    if (model.layers().empty()) {
      throw Error(fmt::format("{}: expected a model with layers, received none; add layers with model.add(layer)",
                              model_label(model)));
    }
    model.build(sample);
  } else if (sample != model.input_shape()) {
    throw Error(fmt::format("{}: expected input of shape {}, received x of shape {}", model_label(model),
                            format_batch_shape(model.input_shape()), format_shape(x.sizes().vec())));
  }
  // Token ids stay integers for a model that starts with an Embedding; other models take floats.
  const auto dtype = x.is_floating_point() || (model.takes_integer_inputs() && x.scalar_type() != torch::kBool)
                         ? x.scalar_type()
                         : torch::kFloat32;
  // A batch from pinned memory is copied without blocking the host.
  return x.to(model.device(), dtype, /*non_blocking=*/x.is_pinned());
}

// The inputs of a model: one tensor, or one per input of a Functional model of several, each
// checked against its Input's shape and moved to the device (as float32 unless the Input is
// declared an integer type).
std::vector<torch::Tensor> prepare_input_list(Model& model, const std::vector<torch::Tensor>& x,
                                              std::string_view entry) {
  if (x.size() == 1) return {prepare_inputs(model, x.front(), entry)};
  const KerasTensors& inputs = model.inputs();
  std::vector<torch::Tensor> prepared;
  for (size_t i = 0; i < x.size(); ++i) {
    const torch::Tensor& data = x[i];
    const KerasTensor& input = inputs[i];
    if (!data.defined() || data.dim() < 1) {
      throw Error(fmt::format("{}: expected input \"{}\" as a tensor of shape [N, ...], received {}", entry,
                              input.layer()->name(),
                              data.defined() ? format_shape(data.sizes().vec()) : "an undefined tensor"));
    }
    if (data.is_complex()) {
      throw Error(fmt::format("{}: expected input \"{}\" of a real dtype, received complex {}", entry,
                              input.layer()->name(), c10::toString(data.scalar_type())));
    }
    const Shape sample(data.sizes().begin() + 1, data.sizes().end());
    if (sample != input.shape()) {
      throw Error(fmt::format("{}: input \"{}\" expects shape {}, received a tensor of shape {}", model_label(model),
                              input.layer()->name(), format_batch_shape(input.shape()),
                              format_shape(data.sizes().vec())));
    }
    const bool integers = input.dtype() != "float32" && input.dtype() != "string";
    const auto dtype = data.is_floating_point() || (integers && data.scalar_type() != torch::kBool) ? data.scalar_type()
                                                                                                    : torch::kFloat32;
    prepared.push_back(data.to(model.device(), dtype, /*non_blocking=*/data.is_pinned()));
  }
  return prepared;
}

// The token ids (or counts) of `texts`, made by the model's first layer, a TextVectorization:
// LibTorch's tensors hold no strings, so texts are vectorized on the CPU before the model.
torch::Tensor vectorize(const Model& model, const std::vector<std::string>& texts, std::string_view entry) {
  const auto layers = model.layers();
  const auto* vectorizer =
      layers.empty() ? nullptr : dynamic_cast<const layers::TextVectorization*>(layers.front().get());
  if (vectorizer == nullptr) {
    throw Error(fmt::format(
        "{}: received texts, which only a model whose first layer is a TextVectorization takes; {} starts with {}; "
        "start it with tkeras::layers::TextVectorization, or turn the texts into tensors first",
        entry, model_label(model), layers.empty() ? "no layer" : layer_label(*layers.front())));
  }
  return (*vectorizer)(texts);
}

// Keras weighs the loss and metrics by a mask that reaches the model's output (Embedding with
// mask_zero followed only by layers that pass it on: Dense, LSTM with return_sequences...); tkeras
// does not yet, so it refuses such a model in fit and evaluate rather than compute another loss.
// One sample shows whether the output carries a mask; only models with a layer that makes masks
// are run on it, so that no other model pays a forward pass (or runs a Lambda once more).
void refuse_output_mask(Model& model, const torch::Tensor& inputs, std::string_view entry) {
  if (inputs.size(0) == 0) return;
  const auto modules = model.modules(/*include_self=*/false);
  const bool makes_masks = std::any_of(modules.begin(), modules.end(), [](const auto& module) {
    const auto* embedding = dynamic_cast<const layers::Embedding*>(module.get());
    return embedding != nullptr && embedding->mask_zero();
  });
  if (!makes_masks) return;
  const torch::NoGradGuard no_grad;
  if (model.compute_mask(inputs.narrow(0, 0, 1), torch::Tensor()).defined()) {
    throw Error(fmt::format(
        "{}: the model's output carries the mask of Embedding(mask_zero = true) (its last layers all pass it on); "
        "Keras would weigh the loss by it, which tkeras does not support yet; end the mask before the output with "
        "a recurrent layer without return_sequences, GlobalAveragePooling1D or Flatten, or drop mask_zero",
        entry));
  }
}

// The targets of each output, as its loss wants them, on the device.
std::vector<torch::Tensor> prepare_targets(const Model& model, const training::CompiledState& state,
                                           const std::vector<torch::Tensor>& y) {
  const std::vector<Shape> shapes = model.output_shapes();
  const std::vector<std::string> names = model.output_names();
  std::vector<torch::Tensor> targets;
  for (size_t i = 0; i < y.size(); ++i) {
    // A model of one output names its output layer; a model of several, the output.
    const std::string label =
        y.size() == 1 ? layer_label(model.output_layer()) : fmt::format("output \"{}\"", names[i]);
    const torch::Tensor prepared = state.heads[i].loss.prepare_targets(y[i], shapes[i], label);
    targets.push_back(prepared.to(model.device(), /*non_blocking=*/prepared.is_pinned()));
  }
  return targets;
}

// Whether the loss takes class labels (so [N, T] targets are labels per position, not one-hot rows).
bool sparse_labels(const training::CompiledState& state) { return state.heads.front().loss.function().takes_labels(); }

// `data` in the order of `names` (the model's inputs or outputs): by name, by position, or one
// tensor for one name. `what` says which ("x" or "y").
std::vector<torch::Tensor> in_order(const Model& model, const Data& data, const std::vector<std::string>& names,
                                    std::string_view what, std::string_view entry) {
  const auto listed = [&] { return names.empty() ? std::string("one") : fmt::format("{}", fmt::join(names, ", ")); };
  if (data.named()) {
    std::vector<torch::Tensor> ordered;
    for (const std::string& name : names) {
      const auto& given = data.names();
      const auto found = std::find(given.begin(), given.end(), name);
      if (found == given.end()) {
        throw Error(fmt::format("{}: {} has no tensor for \"{}\"; {} {} takes: {}; received: {}", entry, what, name,
                                model_label(model), what == "x" ? "inputs" : "outputs", listed(),
                                fmt::join(given, ", ")));
      }
      ordered.push_back(data.tensors()[static_cast<size_t>(found - given.begin())]);
    }
    for (const std::string& name : data.names()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        throw Error(fmt::format("{}: {} has a tensor for \"{}\", which is not one of the model's {}: {}", entry, what,
                                name, what == "x" ? "inputs" : "outputs", listed()));
      }
    }
    return ordered;
  }
  const size_t expected = std::max<size_t>(names.size(), 1);
  if (data.size() != expected) {
    throw Error(fmt::format("{}: {} {} takes {} {} ({}), received {} tensor(s) as {}", entry, model_label(model),
                            what == "x" ? "input" : "output", expected, expected == 1 ? "tensor" : "tensors", listed(),
                            data.size(), what));
  }
  return data.tensors();
}

// fit's or evaluate's sample weights for `samples` samples: one float32 `[N]` tensor per output, on
// the device. One tensor weighs every output, as Keras; a list or a map by output name gives each
// output its own. Empty when there are none.
std::vector<torch::Tensor> output_weights(const Model& model, const Data& sample_weight, int64_t samples,
                                          std::string_view entry) {
  if (!sample_weight.defined()) return {};
  const std::vector<std::string> names = model.output_names();
  if (!sample_weight.list()) {
    const torch::Tensor weights =
        training::prepare_sample_weight(sample_weight.tensors().front(), samples, model.device(), entry);
    return std::vector<torch::Tensor>(names.size(), weights);
  }
  std::vector<torch::Tensor> weights;
  for (const torch::Tensor& given : in_order(model, sample_weight, names, "sample_weight", entry)) {
    weights.push_back(training::prepare_sample_weight(given, samples, model.device(), entry));
  }
  return weights;
}

Batches prepare_data(Model& model, const training::CompiledState& state, const std::vector<torch::Tensor>& x,
                     const std::vector<torch::Tensor>& y, int64_t batch_size, std::string_view entry,
                     const Data& sample_weight = {}) {
  for (const torch::Tensor& target : y) {
    if (!target.defined() || target.dim() < 1) {
      throw Error(fmt::format("{}: expected y as a tensor of shape [N, ...], received {}", entry,
                              target.defined() ? format_shape(target.sizes().vec()) : "an undefined tensor"));
    }
  }
  const int64_t samples = y.front().size(0);
  for (const torch::Tensor& data : x) {
    if (data.defined() && data.dim() >= 1 && data.size(0) != samples) {
      throw Error(fmt::format("{}: expected x and y with the same number of samples, received x with {} and y with {}",
                              entry, data.size(0), samples));
    }
  }
  for (const torch::Tensor& target : y) {
    if (target.size(0) != samples) {
      throw Error(fmt::format("{}: expected every y with the same number of samples, received {} and {}", entry,
                              samples, target.size(0)));
    }
  }
  if (samples == 0) throw Error(fmt::format("{}: expected at least one sample, received 0", entry));
  std::vector<torch::Tensor> inputs = prepare_input_list(model, x, entry);
  if (inputs.size() == 1) refuse_output_mask(model, inputs.front(), entry);
  return {std::move(inputs), prepare_targets(model, state, y), batch_size,
          output_weights(model, sample_weight, samples, entry)};
}

// A dataset's batches, checked and moved to the device as they come; `state` null for predict,
// which takes inputs only. With `class_weight` (fit's training data) each batch is weighed by
// its samples' classes.
EpochIterator dataset_batches(Model& model, const training::CompiledState* state, const data::Dataset& dataset,
                              std::optional<int64_t> steps, std::string entry,
                              const std::map<int64_t, double>& class_weight = {}) {
  auto checked_mask = std::make_shared<bool>(false);
  auto prepare = [&model, state, entry, class_weight, checked_mask](data::Element batch) {
    // Texts go through the model's TextVectorization, as in Keras.
    if (!batch.x.defined() && !batch.text.empty()) batch.x = vectorize(model, batch.text, entry);
    // A model of several inputs or outputs reads them from the element's lists or maps.
    const Data x = batch.inputs.defined() ? batch.inputs : Data(batch.x);
    const Data y = batch.targets.defined() ? batch.targets : Data(batch.y);
    const auto shapes = [](const Data& data) {
      if (!data.defined()) return std::string("none");
      std::vector<std::string> parts;
      for (size_t i = 0; i < data.size(); ++i) {
        const torch::Tensor& tensor = data.tensors()[i];
        const std::string shape = tensor.defined() ? format_shape(tensor.sizes().vec()) : "none";
        parts.push_back(data.named() ? fmt::format("\"{}\" {}", data.names()[i], shape) : shape);
      }
      return data.list() ? fmt::format("({})", fmt::join(parts, ", ")) : parts.front();
    };
    const auto any_of = [](const Data& data, const auto& predicate) {
      return std::any_of(data.tensors().begin(), data.tensors().end(), predicate);
    };
    // Samples rather than batches: a scalar x, or a scalar y beside x.
    const auto scalar = [](const torch::Tensor& tensor) { return tensor.defined() && tensor.dim() == 0; };
    if (any_of(x, scalar) || any_of(y, scalar)) {
      throw Error(
          fmt::format("{}: expected a batched dataset (elements of shape [batch, ...]), received x of "
                      "shape {} and y of shape {}; call .batch(batch_size) on it",
                      entry, shapes(x), shapes(y)));
    }
    if (state != nullptr && !y.defined()) {
      throw Error(fmt::format("{}: expected a dataset of (x, y) elements, received elements without y", entry));
    }
    std::vector<torch::Tensor> inputs = in_order(model, x, model.input_names(), "x", entry);
    if (state != nullptr) {
      const int64_t rows = inputs.front().defined() ? inputs.front().size(0) : -1;
      if (any_of(x, [&](const torch::Tensor& t) { return t.defined() && t.size(0) != rows; }) ||
          any_of(y, [&](const torch::Tensor& t) { return t.defined() && t.size(0) != rows; })) {
        throw Error(
            fmt::format("{}: expected x and y batches of the same size, received x of shape {} and y of shape {}",
                        entry, shapes(x), shapes(y)));
      }
    }
    training::StepBatch prepared{.x = prepare_input_list(model, inputs, entry)};
    if (state == nullptr) return prepared;  // predict: inputs only, as Keras ignores the rest
    if (!*checked_mask) {
      if (prepared.x.size() == 1) refuse_output_mask(model, prepared.x.front(), entry);
      *checked_mask = true;
    }
    prepared.y = prepare_targets(model, *state, in_order(model, y, model.output_names(), "y", entry));
    const Data sample_weights = batch.sample_weights.defined() ? batch.sample_weights : Data(batch.sample_weight);
    if (!class_weight.empty()) {
      if (prepared.y.size() > 1) {
        throw Error(fmt::format(
            "{}: class_weight is only supported for a model of one output, and {} has {}; give the dataset's "
            "elements sample weights instead",
            entry, model_label(model), prepared.y.size()));
      }
      if (sample_weights.defined()) {
        throw Error(fmt::format(
            "{}: cannot use class_weight and sample weights at the same time; the dataset's elements have sample "
            "weights, so drop class_weight or the weights",
            entry));
      }
      prepared.w = {
          training::class_weight_to_sample_weights(prepared.y.front(), class_weight, sparse_labels(*state), entry)};
    } else {
      prepared.w = output_weights(model, sample_weights, prepared.x.front().size(0), entry);
    }
    return prepared;
  };
  // On CUDA a worker thread copies each batch to pinned memory, ahead of the step, so that its copy
  // to the device (non_blocking, in prepare_inputs) does not block the host.
  data::Dataset source = dataset;
  if (model.device().is_cuda()) {
    source = dataset
                 .map([](data::Element batch) {
                   const auto pin = [](const torch::Tensor& tensor) {
                     return tensor.defined() && tensor.is_cpu() ? tensor.pin_memory() : tensor;
                   };
                   batch.x = pin(batch.x);
                   batch.y = pin(batch.y);
                   batch.sample_weight = pin(batch.sample_weight);
                   batch.inputs = batch.inputs.map(pin);
                   batch.targets = batch.targets.map(pin);
                   batch.sample_weights = batch.sample_weights.map(pin);
                   return batch;
                 })
                 .prefetch(2);
  }
  // Data-parallel (fit and evaluate, not predict), each process takes its rows of every batch.
  return {source, steps, std::move(prepare), std::move(entry), state != nullptr ? state->group.get() : nullptr};
}

// Each output's loss and metrics, the metrics chosen from the first targets.
training::Heads make_heads(const Model& model, const training::CompiledState& state,
                           const std::vector<torch::Tensor>& y) {
  training::Heads heads(state, model.output_activations(), model.output_shapes(), y);
  // Data-parallel: every process reads the totals over all processes.
  heads.set_group(state.group.get());
  return heads;
}

// The targets the metrics are chosen from: all of them for tensors, the first batch of a dataset.
const std::vector<torch::Tensor>& example_targets(const training::StepBatch& batch) {
  return batch.batches != nullptr ? batch.batches->y : batch.y;
}

// The running values of the epoch so far, read from the device only when a callback asks.
Logs batch_logs(const training::Heads& tracker, const callbacks::CallbackList& callbacks, int64_t batch) {
  return callbacks.wants_batch_logs_at(batch) ? tracker.result() : Logs{};
}

// The outputs' final activations, looked up once per run rather than per batch.
struct OutputActivations {
  std::vector<activations::Function> apply;

  explicit OutputActivations(const Model& model) {
    for (const std::string& name : model.output_activations()) apply.push_back(activations::get(name));
  }
};

// compile's precision: true for bf16-mixed.
bool parse_precision(const std::string& precision) {
  if (precision == "float32" || precision == "32-true") return false;
  if (precision == "bf16-mixed" || precision == "mixed_bfloat16") return true;
  throw Error(fmt::format(
      "compile: unknown precision \"{}\"; expected one of: float32, 32-true, bf16-mixed, mixed_bfloat16", precision));
}

Logs test_loop(Model& model, const training::CompiledState& state, EpochIterator& data,
               callbacks::CallbackList& callbacks) {
  const torch::NoGradGuard no_grad;
  training::Heads heads = make_heads(model, state, example_targets(data.peek()));
  const training::Regularization regularization(model);
  callbacks.on_test_begin({});
  data.start_epoch();
  for (int64_t step = 0; std::optional<training::StepBatch> batch = data.next(); ++step) {
    callbacks.on_test_batch_begin(step, {});
    // Data-parallel, a process without rows in the last batch: it counts nothing.
    if (batch->size() == 0) {
      callbacks.on_test_batch_end(step, batch_logs(heads, callbacks, step));
      continue;
    }
    const std::vector<torch::Tensor> y = batch->targets();
    const std::vector<torch::Tensor> w = batch->sample_weights();
    const layers::detail::ActivityLosses activity;
    const std::vector<torch::Tensor> logits =
        training::output_logits(model, batch->inputs(), /*training=*/false, state.device, state.bf16_mixed);
    const torch::Tensor loss = regularization.add_penalties(activity.add_to(heads.loss(y, logits, w)));
    heads.accumulate(loss, y.front().size(0), y, logits, w);
    heads.count(y.front().size(0));
    callbacks.on_test_batch_end(step, batch_logs(heads, callbacks, step));
  }
  Logs logs = heads.result();
  callbacks.on_test_end(logs);
  return logs;
}

// Keras's train_validation_split: the last fraction of the samples, before any shuffling.
std::pair<torch::Tensor, torch::Tensor> split_off(const torch::Tensor& data, int64_t split_at) {
  return {data.narrow(0, 0, split_at), data.narrow(0, split_at, data.size(0) - split_at)};
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> split_off(const std::vector<torch::Tensor>& data,
                                                                            int64_t split_at) {
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> parts;
  for (const torch::Tensor& tensor : data) {
    auto [first, second] = split_off(tensor, split_at);
    parts.first.push_back(first);
    parts.second.push_back(second);
  }
  return parts;
}

void check_fit_options(const FitOptions& options) {
  if (options.epochs <= 0) throw Error(fmt::format("fit: expected epochs >= 1, received {}", options.epochs));
  if (options.initial_epoch < 0 || options.initial_epoch >= options.epochs) {
    throw Error(fmt::format("fit: expected initial_epoch in 0..{} (below epochs), received {}", options.epochs - 1,
                            options.initial_epoch));
  }
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    throw Error(fmt::format("fit: expected validation_split in [0, 1), received {}", options.validation_split));
  }
  if (!options.class_weight.empty() && options.sample_weight.defined()) {
    throw Error("fit: cannot use class_weight and sample_weight at the same time; pass one of them");
  }
}

// fit's validation data, as a function that starts a pass over it.
std::function<EpochIterator()> validation_batches(Model& model, const training::CompiledState& state,
                                                  const FitOptions& options) {
  const ValidationData& validation = options.validation_data;
  if (validation.dataset) {
    if (validation.x.defined() || validation.y.defined() || validation.sample_weight.defined() ||
        !validation.texts.empty()) {
      throw Error("fit: expected validation_data as tensors (x, y) or as a dataset, received both");
    }
    return [&model, &state, dataset = *validation.dataset, steps = options.validation_steps] {
      return dataset_batches(model, &state, dataset, steps, "fit (validation_data)");
    };
  }
  if (!validation.given()) return {};
  if (!validation.texts.empty() && validation.x.defined()) {
    throw Error("fit: expected validation_data as tensors (x, y) or as texts and y, received both");
  }
  std::vector<torch::Tensor> x, y;
  if (validation.inputs.size() > 0) {
    x = in_order(model, validation.inputs, model.input_names(), "x", "fit (validation_data)");
    y = in_order(model, validation.targets, model.output_names(), "y", "fit (validation_data)");
  } else {
    x = {validation.texts.empty() ? validation.x : vectorize(model, validation.texts, "fit (validation_data)")};
    y = {validation.y};
  }
  Batches batches =
      prepare_data(model, state, x, y, options.batch_size, "fit (validation_data)", validation.sample_weight);
  return [batches, group = state.group.get()] { return EpochIterator(batches, /*shuffle=*/false, group); };
}

// Data-parallel: rank 0's weights, optimizer state, learning rate and first epoch (which
// BackupAndRestore may have restored there) go to every process, so that all start alike.
int start_alike(Model& model, training::Updater& updater, distribute::detail::ProcessGroup& group, int first_epoch) {
  const torch::NoGradGuard no_grad;
  const auto broadcast = [&](const torch::Tensor& tensor, const std::string& name) {
    torch::Tensor buffer = tensor.is_contiguous() ? tensor.detach() : tensor.contiguous();
    group.broadcast(buffer, fmt::format("broadcast of rank 0's {}", name));
    if (!tensor.is_contiguous()) tensor.detach().copy_(buffer);
  };
  for (const auto& [name, weight] : model.named_weights()) broadcast(weight, "weight " + name);
  std::vector<std::pair<std::string, torch::Tensor>> state = updater.state();
  for (const auto& [name, tensor] : state) {
    if (name != "optimizer.iterations") broadcast(tensor, name);
  }
  torch::Tensor counts = torch::tensor(
      {static_cast<double>(updater.iterations()), updater.learning_rate(), static_cast<double>(first_epoch)},
      torch::kFloat64);
  group.broadcast(counts, "broadcast of rank 0's optimizer step, learning rate and epoch");
  std::map<std::string, torch::Tensor> restored(state.begin(), state.end());
  restored["optimizer.iterations"] = torch::tensor(static_cast<int64_t>(counts[0].item<double>()));
  updater.set_state(restored);
  // A schedule's rate follows the broadcast step count; a number is set.
  if (!model.optimizer().learning_rate_schedule()) model.set_learning_rate(counts[1].item<double>());
  return static_cast<int>(counts[2].item<double>());
}

// Data-parallel: each process's BatchNormalization layers move their statistics with its own
// rows; at the end of each epoch (before validation and the callbacks) they take the mean over
// the processes, so that all evaluate and save the same model. Frozen layers do not move.
void average_moving_statistics(Model& model, distribute::detail::ProcessGroup& group) {
  const torch::NoGradGuard no_grad;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    const auto* normalization = dynamic_cast<const layers::BatchNormalization*>(module.get());
    if (normalization == nullptr || !normalization->trainable()) continue;
    for (const torch::Tensor& statistic : module->buffers(/*recurse=*/false)) {
      torch::Tensor values = statistic.detach();
      group.all_reduce_sum(values, "all-reduce of BatchNormalization's moving statistics");
      values.div_(group.size());
    }
  }
}

// Data-parallel: training stops on every process when a callback stopped it on any.
bool agreed_stop(bool stop, distribute::detail::ProcessGroup* group) {
  if (group == nullptr) return stop;
  torch::Tensor flag = torch::tensor({stop ? 1.0 : 0.0}, torch::kFloat64);
  group->all_reduce_sum(flag, "agreement on stop_training");
  return flag.item<double>() > 0.0;
}

}  // namespace

namespace {

// compile's losses, loss weights and metrics, one head per output of the model, as Keras's
// CompileLoss and CompileMetrics match them to the outputs.
std::vector<training::Head> resolve_heads(const Model& model, const CompileOptions& options) {
  const std::vector<std::string> names = model.functional() ? model.output_names() : std::vector<std::string>{""};
  const auto outputs = [&] { return fmt::format("{}", fmt::join(names, ", ")); };
  const auto check_name = [&](const std::string& name, std::string_view what) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw Error(fmt::format("compile: {} names \"{}\", which is not an output of {}; its outputs are: {}", what, name,
                              model_label(model), outputs()));
    }
  };
  for (const auto& [name, weight] : options.loss_weights) check_name(name, "loss_weights");
  for (const auto& [name, metrics] : options.metrics.named()) check_name(name, "metrics");
  if (!options.loss) return {};
  std::vector<losses::Loss> losses;
  const LossSpec& spec = options.loss;
  if (!spec.per_output()) {
    losses.assign(names.size(), spec.losses().front());  // one loss for every output, as Keras
  } else if (spec.names().empty()) {
    if (spec.losses().size() != names.size()) {
      throw Error(fmt::format("compile: expected one loss per output of {} ({}: {}), received {}", model_label(model),
                              names.size(), outputs(), spec.losses().size()));
    }
    losses = spec.losses();
  } else {
    for (const std::string& name : spec.names()) check_name(name, "loss");
    for (const std::string& name : names) {
      const auto found = std::find(spec.names().begin(), spec.names().end(), name);
      if (found == spec.names().end()) {
        throw Error(fmt::format("compile: loss has no loss for the output \"{}\" of {}; give one for each of: {}", name,
                                model_label(model), outputs()));
      }
      losses.push_back(spec.losses()[static_cast<size_t>(found - spec.names().begin())]);
    }
  }
  // A metric object listed for every output of a model of several: one per output, as a fresh
  // copy made from its config (a registered class's).
  const auto for_each_output = [&](const std::vector<metrics::Identifier>& identifiers) {
    if (names.size() == 1) return identifiers;
    std::vector<metrics::Identifier> copies;
    for (const metrics::Identifier& identifier : identifiers) {
      if (identifier.is_name()) {
        copies.push_back(identifier);
        continue;
      }
      try {
        copies.emplace_back(metrics::fresh_copy(*identifier.metric()));
      } catch (const Error& error) {
        throw Error(
            fmt::format("compile: the metric \"{}\" is listed for every output of {}, which needs one per "
                        "output: {}; give one object per output, by output name",
                        identifier.name(), model_label(model), error.what()));
      }
    }
    return copies;
  };
  std::vector<training::Head> heads;
  for (size_t i = 0; i < names.size(); ++i) {
    if (losses[i].reduction() == "none") {
      // Keras's torch trainer fails here too: one loss value per sample cannot be backpropagated.
      throw Error(
          fmt::format("compile: the loss {} has reduction \"none\", which leaves one value per sample; "
                      "training needs one number (sum_over_batch_size, mean, sum or mean_with_sample_weight)",
                      losses[i].class_name()));
    }
    training::Head head{.name = names[i],
                        .loss = losses[i],
                        .weight = 1.0,
                        .metrics = for_each_output(options.metrics.all()),
                        .weighted_metrics = for_each_output(options.weighted_metrics)};
    if (const auto weight = options.loss_weights.find(names[i]); weight != options.loss_weights.end()) {
      head.weight = weight->second;
    }
    if (const auto named = options.metrics.named().find(names[i]); named != options.metrics.named().end()) {
      head.metrics.insert(head.metrics.end(), named->second.begin(), named->second.end());
    }
    heads.push_back(std::move(head));
  }
  return heads;
}

}  // namespace

void Model::compile(const CompileOptions& options) {
  training::check_metric_names(options.metrics.all());
  for (const auto& [name, metrics] : options.metrics.named()) training::check_metric_names(metrics);
  training::check_metric_names(options.weighted_metrics);
  std::vector<training::Head> heads = resolve_heads(*this, options);
  const bool bf16_mixed = parse_precision(options.precision);
  torch::Device device = resolve_device(options.device);
  std::shared_ptr<distribute::detail::ProcessGroup> group;
  if (options.distribute) {
    // On CUDA each process of the job trains on the GPU of its local rank, unless told one.
    if (device.is_cuda() && (options.device == "auto" || options.device == "cuda")) {
      device =
          resolve_device(fmt::format("cuda:{}", distribute::detail::resolve_launch(*options.distribute).local_rank));
    }
    group = distribute::detail::ProcessGroup::join(*options.distribute, device);
  }
  compiled_ =
      std::make_shared<training::CompiledState>(options.optimizer, std::move(heads), device, options.jit, bf16_mixed);
  compiled_->group = std::move(group);
  to(device);
}

History Model::fit(const torch::Tensor& x, const torch::Tensor& y, const FitOptions& options) {
  return fit_tensors({x}, {y}, options);
}

History Model::fit(const Data& x, const Data& y, const FitOptions& options) {
  return fit_tensors(in_order(*this, x, input_names(), "x", "fit"), in_order(*this, y, output_names(), "y", "fit"),
                     options);
}

History Model::fit_tensors(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                           const FitOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  training::CompiledState& state = require_compiled(compiled_, *this, "fit");
  check_fit_options(options);
  check_batch_size(options.batch_size, "fit", state.group.get());
  if (!options.class_weight.empty() && y.size() > 1) {
    throw Error(
        fmt::format("fit: class_weight is only supported for a model of one output, and {} has {}; pass a "
                    "sample_weight instead",
                    model_label(*this), y.size()));
  }

  Batches train_data = prepare_data(*this, state, x, y, options.batch_size, "fit", options.sample_weight);
  std::function<EpochIterator()> validation = validation_batches(*this, state, options);
  if (!validation && options.validation_split > 0.0) {
    const int64_t samples = train_data.size();
    const auto split_at =
        static_cast<int64_t>(std::floor(static_cast<double>(samples) * (1.0 - options.validation_split)));
    if (split_at == 0 || split_at == samples) {
      throw Error(
          fmt::format("fit: {} samples cannot be split into training and validation sets with "
                      "validation_split={}; provide more data or another validation_split",
                      samples, options.validation_split));
    }
    auto [x_train, x_val] = split_off(train_data.x, split_at);
    auto [y_train, y_val] = split_off(train_data.y, split_at);
    auto [w_train, w_val] = split_off(train_data.w, split_at);
    train_data = {x_train, y_train, options.batch_size, w_train};
    validation = [batches = Batches{x_val, y_val, options.batch_size, w_val}, group = state.group.get()] {
      return EpochIterator(batches, false, group);
    };
  }
  // As Keras: class weights weigh the training samples only, not the validation data.
  if (!options.class_weight.empty()) {
    train_data.w = {training::class_weight_to_sample_weights(train_data.y.front(), options.class_weight,
                                                             sparse_labels(state), "fit")};
  }
  training::FitData data{EpochIterator(std::move(train_data), options.shuffle, state.group.get()),
                         std::move(validation)};
  return run_fit(data, options);
}

History Model::fit(const data::Dataset& dataset, const FitOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  training::CompiledState& state = require_compiled(compiled_, *this, "fit");
  check_fit_options(options);
  if (options.sample_weight.defined()) {
    throw Error(
        "fit: sample_weight is only supported for tensors, received a dataset with sample_weight; put the weights "
        "in the dataset's elements (Dataset::from_tensor_slices(x, y, sample_weight))");
  }
  // As Keras: a dataset cannot be split, since its length may not be known.
  if (options.validation_split > 0.0) {
    throw Error(fmt::format(
        "fit: validation_split is only supported for tensors, received a dataset with validation_split={}; pass "
        "a validation dataset as validation_data (image_dataset_from_directory's subset=\"both\" makes one)",
        options.validation_split));
  }
  training::FitData data{dataset_batches(*this, &state, dataset, options.steps_per_epoch, "fit", options.class_weight),
                         validation_batches(*this, state, options)};
  // The first batch builds the model and tells the metrics what the targets look like; the
  // validation data's first batch is checked too, so that bad data stops fit before it trains.
  const training::StepBatch& first = data.train.peek();
  if (data.validation) data.validation().peek();
  // Data-parallel: the dataset's batches are global batches, which must split evenly (the last
  // one may be shorter).
  if (state.group != nullptr)
    check_batch_size(first.global_size(), "fit (the dataset's first batch)", state.group.get());
  return run_fit(data, options);
}

History Model::run_fit(training::FitData& data, const FitOptions& options) {
  training::CompiledState& state = *compiled_;
  distribute::detail::ProcessGroup* group = state.group.get();
  // The weights trainable now: layers frozen or unfrozen since the last fit change the set.
  training::Updater& updater = state.updater(trainable_weights());
  // Data-parallel: each step sums the gradients over the processes.
  updater.set_gradient_reduction(group == nullptr ? std::function<void(torch::Tensor&)>()
                                                  : [group](torch::Tensor& gradients) {
                                                      group->all_reduce_sum(gradients, "all-reduce of the gradients");
                                                    });
  if (!updater.has_weights()) {
    std::cerr << fmt::format(
        "{}: warning: the model does not have any trainable weights; fit computes the loss and "
        "metrics without updating anything\n",
        model_label(*this));
  }

  callbacks::CallbackList callbacks(options.callbacks, *this,
                                    {.epochs = options.epochs, .steps = data.train.steps(), .verbose = options.verbose},
                                    {.add_history = true, .add_progbar = options.verbose != 0});
  const training::StepBatch& first = data.train.peek();
  training::Heads heads = make_heads(*this, state, example_targets(first));
  // jit's static batch: this process's rows of a full batch for tensors, of the first batch for a
  // dataset.
  training::TrainStep train_step(*this, state, updater, heads,
                                 first.batches != nullptr ? first.batches->shard_size() : first.size());

  stop_training = false;
  Logs epoch_logs;
  callbacks.on_train_begin({});
  // BackupAndRestore may have restored a run that got further: go on from there.
  int first_epoch = std::exchange(resume_epoch_, std::nullopt).value_or(options.initial_epoch);
  if (group != nullptr) first_epoch = start_alike(*this, updater, *group, first_epoch);
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    heads.reset();
    callbacks.on_epoch_begin(epoch, {});
    // As Keras: train() while training, so that LibTorch modules inside follow; eval() after.
    train();
    data.train.start_epoch();
    int64_t steps = 0;
    while (std::optional<training::StepBatch> batch = data.train.next()) {
      callbacks.on_train_batch_begin(steps, {});
      train_step.run(*batch);
      callbacks.on_train_batch_end(steps, batch_logs(heads, callbacks, steps));
      ++steps;
      if (stop_training) break;
    }
    eval();
    // A dataset that ran out at the start of an epoch has nothing more to give: stop, as Keras's
    // warning says ("interrupting training"; Keras 3 in fact runs the remaining epochs empty).
    if (steps == 0) break;
    if (group != nullptr) average_moving_statistics(*this, *group);
    epoch_logs = heads.result();
    if (data.validation) {
      EpochIterator validation = data.validation();
      epoch_logs = merged(epoch_logs, with_prefix(test_loop(*this, state, validation, callbacks), "val_"));
    }
    if (callbacks.logs_learning_rate()) epoch_logs["learning_rate"] = learning_rate();
    callbacks.on_epoch_end(epoch, epoch_logs);
    stop_training = agreed_stop(stop_training, group);
    if (stop_training) break;
  }
  callbacks.on_train_end(epoch_logs);
  return *callbacks.history();
}

Logs Model::evaluate(const torch::Tensor& x, const torch::Tensor& y, const EvaluateOptions& options) {
  return evaluate_tensors({x}, {y}, options);
}

Logs Model::evaluate(const Data& x, const Data& y, const EvaluateOptions& options) {
  return evaluate_tensors(in_order(*this, x, input_names(), "x", "evaluate"),
                          in_order(*this, y, output_names(), "y", "evaluate"), options);
}

Logs Model::evaluate_tensors(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                             const EvaluateOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  training::CompiledState& state = require_compiled(compiled_, *this, "evaluate");
  check_batch_size(options.batch_size, "evaluate", state.group.get());
  EpochIterator data(prepare_data(*this, state, x, y, options.batch_size, "evaluate", options.sample_weight),
                     /*shuffle=*/false, state.group.get());
  eval();
  callbacks::CallbackList callbacks(options.callbacks, *this, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  return test_loop(*this, state, data, callbacks);
}

Logs Model::evaluate(const data::Dataset& dataset, const EvaluateOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  training::CompiledState& state = require_compiled(compiled_, *this, "evaluate");
  if (options.sample_weight.defined()) {
    throw Error(
        "evaluate: sample_weight is only supported for tensors, received a dataset with sample_weight; put the "
        "weights in the dataset's elements (Dataset::from_tensor_slices(x, y, sample_weight))");
  }
  EpochIterator data = dataset_batches(*this, &state, dataset, options.steps, "evaluate");
  data.peek();
  eval();
  callbacks::CallbackList callbacks(options.callbacks, *this, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  return test_loop(*this, state, data, callbacks);
}

namespace {

// The outputs for every batch, concatenated per output, on `output_device`.
std::vector<torch::Tensor> predict_loop(Model& model, EpochIterator& data, const PredictOptions& options,
                                        bool bf16_mixed, torch::Device output_device) {
  model.eval();
  callbacks::CallbackList callbacks(options.callbacks, model, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  const torch::NoGradGuard no_grad;
  const std::vector<Shape> shapes = model.output_shapes();
  std::vector<std::vector<torch::Tensor>> outputs(shapes.size());
  callbacks.on_predict_begin({});
  // With bf16-mixed the layers run under autocast up to the output layers' activations, which
  // then run in float32 (softmax rows sum to 1 within float32 rounding), as in fit.
  const OutputActivations activations(model);
  data.start_epoch();
  for (int64_t step = 0; std::optional<training::StepBatch> batch = data.next(); ++step) {
    callbacks.on_predict_batch_begin(step, {});
    const std::vector<torch::Tensor> logits =
        training::output_logits(model, batch->inputs(), /*training=*/false, model.device(), bf16_mixed);
    for (size_t i = 0; i < logits.size(); ++i) outputs[i].push_back(activations.apply[i](logits[i]));
    callbacks.on_predict_batch_end(step, {});
  }
  callbacks.on_predict_end({});
  std::vector<torch::Tensor> results;
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (outputs[i].empty()) {
      Shape empty_shape = {0};
      empty_shape.insert(empty_shape.end(), shapes[i].begin(), shapes[i].end());
      results.push_back(torch::empty(empty_shape, torch::TensorOptions().dtype(torch::kFloat32).device(output_device)));
    } else {
      results.push_back(torch::cat(outputs[i]).to(output_device));
    }
  }
  return results;
}

torch::Tensor one_output(const Model& model, std::vector<torch::Tensor> outputs) {
  if (outputs.size() != 1) {
    throw Error(
        fmt::format("predict: {} has {} outputs; pass the inputs as tkeras::Data (a list or a map) to get "
                    "all of them",
                    model_label(model), outputs.size()));
  }
  return std::move(outputs.front());
}

}  // namespace

torch::Tensor Model::predict(const torch::Tensor& x, const PredictOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  check_batch_size(options.batch_size, "predict");
  EpochIterator data(Batches{{prepare_inputs(*this, x, "predict")}, {}, options.batch_size}, /*shuffle=*/false);
  return one_output(*this, predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, x.device()));
}

Data Model::predict(const Data& x, const PredictOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  check_batch_size(options.batch_size, "predict");
  const std::vector<torch::Tensor> inputs = in_order(*this, x, input_names(), "x", "predict");
  if (!inputs.front().defined() || inputs.front().dim() < 1) {
    throw Error("predict: expected x as tensors of shape [N, ...], received an undefined or scalar tensor");
  }
  const torch::Device device = inputs.front().device();
  EpochIterator data(Batches{prepare_input_list(*this, inputs, "predict"), {}, options.batch_size},
                     /*shuffle=*/false);
  std::vector<torch::Tensor> outputs = predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, device);
  return Data(output_names(), std::move(outputs));
}

namespace {

// The samples in `x` (its first tensor's rows), as the one batch of an `entry` such as
// train_on_batch; at least 1, so that fit's own checks report an empty x.
int64_t batch_rows(const Data& x, std::string_view entry) {
  if (x.size() == 0 || !x.tensors().front().defined() || x.tensors().front().dim() < 1) {
    throw Error(
        fmt::format("{}: expected x as tensors of shape [N, ...], received an undefined or scalar tensor", entry));
  }
  return std::max<int64_t>(x.tensors().front().size(0), 1);
}

}  // namespace

// As Keras: one step of fit over the whole batch, without callbacks and with fresh metrics (fit
// resets them each epoch); what fit would otherwise change of the model's run (a stop asked for,
// an epoch BackupAndRestore restored) stays for the next fit.
Logs Model::train_on_batch(const Data& x, const Data& y, const TrainOnBatchOptions& options) {
  const bool stop = stop_training;
  const std::optional<int> resume = std::exchange(resume_epoch_, std::nullopt);
  const History history = fit(x, y,
                              {.epochs = 1,
                               .batch_size = batch_rows(x, "train_on_batch"),
                               .shuffle = false,
                               .class_weight = options.class_weight,
                               .sample_weight = options.sample_weight,
                               .verbose = 0});
  stop_training = stop;
  resume_epoch_ = resume;
  Logs logs;
  for (const auto& [name, values] : history.history) logs[name] = values.back();
  return logs;
}

Logs Model::train_on_batch(const torch::Tensor& x, const torch::Tensor& y, const TrainOnBatchOptions& options) {
  return train_on_batch(Data(x), Data(y), options);
}

Logs Model::test_on_batch(const Data& x, const Data& y, const TestOnBatchOptions& options) {
  return evaluate(x, y,
                  {.batch_size = batch_rows(x, "test_on_batch"), .verbose = 0, .sample_weight = options.sample_weight});
}

Logs Model::test_on_batch(const torch::Tensor& x, const torch::Tensor& y, const TestOnBatchOptions& options) {
  return test_on_batch(Data(x), Data(y), options);
}

Data Model::predict_on_batch(const Data& x) {
  return predict(x, {.batch_size = batch_rows(x, "predict_on_batch"), .verbose = 0});
}

torch::Tensor Model::predict_on_batch(const torch::Tensor& x) {
  return one_output(*this, predict_on_batch(Data(x)).tensors());
}

History Model::fit(const std::vector<std::string>& x, const torch::Tensor& y, const FitOptions& options) {
  return fit(vectorize(*this, x, "fit"), y, options);
}

Logs Model::evaluate(const std::vector<std::string>& x, const torch::Tensor& y, const EvaluateOptions& options) {
  return evaluate(vectorize(*this, x, "evaluate"), y, options);
}

torch::Tensor Model::predict(const std::vector<std::string>& x, const PredictOptions& options) {
  return predict(vectorize(*this, x, "predict"), options);
}

torch::Tensor Model::predict(const data::Dataset& dataset, const PredictOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  if (const size_t outputs = output_names().size(); outputs != 1) {
    throw Error(fmt::format("predict: {} has {} outputs; call predict_outputs(dataset) to get all of them",
                            model_label(*this), outputs));
  }
  EpochIterator data = dataset_batches(*this, nullptr, dataset, options.steps, "predict");
  data.peek();
  return predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, torch::kCPU).front();
}

Data Model::predict_outputs(const data::Dataset& dataset, const PredictOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  EpochIterator data = dataset_batches(*this, nullptr, dataset, options.steps, "predict_outputs");
  data.peek();
  return Data(output_names(), predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, torch::kCPU));
}

}  // namespace tkeras
