// compile, fit, evaluate and predict: the model's trainer, Keras's training loop on LibTorch.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "distribute/process_group.h"
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
  if (!state->loss) {
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

torch::Tensor prepare_targets(const Model& model, const training::CompiledState& state, const torch::Tensor& y) {
  const torch::Tensor targets = state.loss->prepare_targets(y, model.output_shape(), layer_label(model.output_layer()));
  return targets.to(model.device(), /*non_blocking=*/targets.is_pinned());
}

// Whether the loss takes class labels (so [N, T] targets are labels per position, not one-hot rows).
bool sparse_labels(const training::CompiledState& state) {
  return state.loss->kind() == losses::Loss::Kind::kSparseCategoricalCrossentropy;
}

Batches prepare_data(Model& model, const training::CompiledState& state, const torch::Tensor& x, const torch::Tensor& y,
                     int64_t batch_size, std::string_view entry, const torch::Tensor& sample_weight = {}) {
  if (!y.defined() || y.dim() < 1) {
    throw Error(fmt::format("{}: expected y as a tensor of shape [N, ...], received {}", entry,
                            y.defined() ? format_shape(y.sizes().vec()) : "an undefined tensor"));
  }
  if (x.defined() && x.dim() >= 1 && x.size(0) != y.size(0)) {
    throw Error(fmt::format("{}: expected x and y with the same number of samples, received x with {} and y with {}",
                            entry, x.size(0), y.size(0)));
  }
  if (y.size(0) == 0) throw Error(fmt::format("{}: expected at least one sample, received 0", entry));
  torch::Tensor inputs = prepare_inputs(model, x, entry);
  refuse_output_mask(model, inputs, entry);
  torch::Tensor targets = prepare_targets(model, state, y);
  torch::Tensor weights;
  if (sample_weight.defined()) {
    weights = training::prepare_sample_weight(sample_weight, y.size(0), model.device(), entry);
  }
  return {inputs, targets, batch_size, weights};
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
    // Samples rather than batches: a scalar x, or a scalar y beside x.
    if ((batch.x.defined() && batch.x.dim() == 0) || (batch.y.defined() && batch.y.dim() == 0)) {
      throw Error(
          fmt::format("{}: expected a batched dataset (elements of shape [batch, ...]), received x of "
                      "shape {} and y of shape {}; call .batch(batch_size) on it",
                      entry, batch.x.defined() ? format_shape(batch.x.sizes().vec()) : "none",
                      batch.y.defined() ? format_shape(batch.y.sizes().vec()) : "none"));
    }
    if (state != nullptr && !batch.y.defined()) {
      throw Error(fmt::format("{}: expected a dataset of (x, y) elements, received elements without y", entry));
    }
    if (state != nullptr && batch.x.size(0) != batch.y.size(0)) {
      throw Error(fmt::format("{}: expected x and y batches of the same size, received x of shape {} and y of shape {}",
                              entry, format_shape(batch.x.sizes().vec()), format_shape(batch.y.sizes().vec())));
    }
    batch.x = prepare_inputs(model, batch.x, entry);
    if (state == nullptr) {  // predict: inputs only, as Keras ignores the rest
      batch.y = batch.sample_weight = torch::Tensor();
      return batch;
    }
    if (!*checked_mask) {
      refuse_output_mask(model, batch.x, entry);
      *checked_mask = true;
    }
    batch.y = prepare_targets(model, *state, batch.y);
    if (!class_weight.empty()) {
      if (batch.sample_weight.defined()) {
        throw Error(fmt::format(
            "{}: cannot use class_weight and sample weights at the same time; the dataset's elements have sample "
            "weights, so drop class_weight or the weights",
            entry));
      }
      batch.sample_weight =
          training::class_weight_to_sample_weights(batch.y, class_weight, sparse_labels(*state), entry);
    } else if (batch.sample_weight.defined()) {
      batch.sample_weight =
          training::prepare_sample_weight(batch.sample_weight, batch.x.size(0), model.device(), entry);
    }
    return batch;
  };
  // On CUDA a worker thread copies each batch to pinned memory, ahead of the step, so that its copy
  // to the device (non_blocking, in prepare_inputs) does not block the host.
  data::Dataset source = dataset;
  if (model.device().is_cuda()) {
    source = dataset
                 .map([](data::Element batch) {
                   if (batch.x.defined() && batch.x.is_cpu()) batch.x = batch.x.pin_memory();
                   if (batch.y.defined() && batch.y.is_cpu()) batch.y = batch.y.pin_memory();
                   if (batch.sample_weight.defined() && batch.sample_weight.is_cpu()) {
                     batch.sample_weight = batch.sample_weight.pin_memory();
                   }
                   return batch;
                 })
                 .prefetch(2);
  }
  // Data-parallel (fit and evaluate, not predict), each process takes its rows of every batch.
  return {source, steps, std::move(prepare), std::move(entry), state != nullptr ? state->group.get() : nullptr};
}

training::MetricsTracker make_tracker(const Model& model, const training::CompiledState& state,
                                      const torch::Tensor& y) {
  const Shape& output = model.output_shape();
  const int64_t output_rank = static_cast<int64_t>(output.size()) + 1;
  training::MetricsTracker tracker(training::resolve_metrics(state.metric_names, state.weighted_metric_names, y.dim(),
                                                             output_rank, y.dim() > 1 ? y.size(-1) : 1, output.back()),
                                   output);
  // Data-parallel: every process reads the totals over all processes.
  tracker.set_group(state.group.get());
  return tracker;
}

// The targets the metrics are chosen from: all of them for tensors, the first batch of a dataset.
const torch::Tensor& example_targets(const training::StepBatch& batch) {
  return batch.batches != nullptr ? batch.batches->y : batch.y;
}

// The running values of the epoch so far, read from the device only when a callback asks.
Logs batch_logs(const training::MetricsTracker& tracker, const callbacks::CallbackList& callbacks, int64_t batch) {
  return callbacks.wants_batch_logs_at(batch) ? tracker.result() : Logs{};
}

// The output layer's final activation, looked up once per run rather than per batch.
struct OutputActivation {
  std::string name;
  activations::Function apply;

  explicit OutputActivation(const Model& model) : name(model.activation()), apply(activations::get(name)) {}
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
  const OutputActivation activation(model);
  training::MetricsTracker tracker = make_tracker(model, state, example_targets(data.peek()));
  callbacks.on_test_begin({});
  data.start_epoch();
  for (int64_t step = 0; std::optional<training::StepBatch> batch = data.next(); ++step) {
    callbacks.on_test_batch_begin(step, {});
    // Data-parallel, a process without rows in the last batch: it counts nothing.
    if (batch->size() == 0) {
      callbacks.on_test_batch_end(step, batch_logs(tracker, callbacks, step));
      continue;
    }
    const torch::Tensor y = batch->targets();
    const torch::Tensor w = batch->sample_weights();
    const torch::Tensor logits =
        training::output_logits(model, batch->inputs(), /*training=*/false, state.device, state.bf16_mixed);
    const torch::Tensor loss = state.loss->from_layer_output(y, logits, activation.name, w);
    tracker.update(loss, y.size(0), y, logits, activation.name, activation.apply, w);
    callbacks.on_test_batch_end(step, batch_logs(tracker, callbacks, step));
  }
  Logs logs = tracker.result();
  callbacks.on_test_end(logs);
  return logs;
}

// Keras's train_validation_split: the last fraction of the samples, before any shuffling.
std::pair<torch::Tensor, torch::Tensor> split_off(const torch::Tensor& data, int64_t split_at) {
  return {data.narrow(0, 0, split_at), data.narrow(0, split_at, data.size(0) - split_at)};
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
  const torch::Tensor x =
      validation.texts.empty() ? validation.x : vectorize(model, validation.texts, "fit (validation_data)");
  Batches batches = prepare_data(model, state, x, validation.y, options.batch_size, "fit (validation_data)",
                                 validation.sample_weight);
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
  model.set_learning_rate(counts[1].item<double>());
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

void Model::compile(const CompileOptions& options) {
  training::check_metric_names(options.metrics);
  training::check_metric_names(options.weighted_metrics);
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
  compiled_ = std::make_shared<training::CompiledState>(options.optimizer, options.loss, options.metrics,
                                                        options.weighted_metrics, device, options.jit, bf16_mixed);
  compiled_->group = std::move(group);
  to(device);
}

History Model::fit(const torch::Tensor& x, const torch::Tensor& y, const FitOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  training::CompiledState& state = require_compiled(compiled_, *this, "fit");
  check_fit_options(options);
  check_batch_size(options.batch_size, "fit", state.group.get());

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
    torch::Tensor w_train, w_val;
    if (train_data.w.defined()) std::tie(w_train, w_val) = split_off(train_data.w, split_at);
    train_data = {x_train, y_train, options.batch_size, w_train};
    validation = [batches = Batches{x_val, y_val, options.batch_size, w_val}, group = state.group.get()] {
      return EpochIterator(batches, false, group);
    };
  }
  // As Keras: class weights weigh the training samples only, not the validation data.
  if (!options.class_weight.empty()) {
    train_data.w =
        training::class_weight_to_sample_weights(train_data.y, options.class_weight, sparse_labels(state), "fit");
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
  training::MetricsTracker tracker = make_tracker(*this, state, example_targets(first));
  // jit's static batch: this process's rows of a full batch for tensors, of the first batch for a
  // dataset.
  training::TrainStep train_step(*this, state, updater, tracker,
                                 first.batches != nullptr ? first.batches->shard_size() : first.size());

  stop_training = false;
  Logs epoch_logs;
  callbacks.on_train_begin({});
  // BackupAndRestore may have restored a run that got further: go on from there.
  int first_epoch = std::exchange(resume_epoch_, std::nullopt).value_or(options.initial_epoch);
  if (group != nullptr) first_epoch = start_alike(*this, updater, *group, first_epoch);
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    tracker.reset();
    callbacks.on_epoch_begin(epoch, {});
    // As Keras: train() while training, so that LibTorch modules inside follow; eval() after.
    train();
    data.train.start_epoch();
    int64_t steps = 0;
    while (std::optional<training::StepBatch> batch = data.train.next()) {
      callbacks.on_train_batch_begin(steps, {});
      train_step.run(*batch);
      callbacks.on_train_batch_end(steps, batch_logs(tracker, callbacks, steps));
      ++steps;
      if (stop_training) break;
    }
    eval();
    // A dataset that ran out at the start of an epoch has nothing more to give: stop, as Keras's
    // warning says ("interrupting training"; Keras 3 in fact runs the remaining epochs empty).
    if (steps == 0) break;
    if (group != nullptr) average_moving_statistics(*this, *group);
    epoch_logs = tracker.result();
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

torch::Tensor predict_loop(Model& model, EpochIterator& data, const PredictOptions& options, bool bf16_mixed,
                           torch::Device output_device) {
  model.eval();
  callbacks::CallbackList callbacks(options.callbacks, model, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  const torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(data.steps()));
  callbacks.on_predict_begin({});
  // With bf16-mixed the layers run under autocast up to the output layer's activation, which
  // then runs in float32 (softmax rows sum to 1 within float32 rounding), as in fit.
  const OutputActivation output_activation(model);
  data.start_epoch();
  for (int64_t step = 0; std::optional<training::StepBatch> batch = data.next(); ++step) {
    callbacks.on_predict_batch_begin(step, {});
    outputs.push_back(output_activation.apply(
        training::output_logits(model, batch->inputs(), /*training=*/false, model.device(), bf16_mixed)));
    callbacks.on_predict_batch_end(step, {});
  }
  callbacks.on_predict_end({});
  if (outputs.empty()) {
    Shape empty_shape = {0};
    empty_shape.insert(empty_shape.end(), model.output_shape().begin(), model.output_shape().end());
    return torch::empty(empty_shape, torch::TensorOptions().dtype(torch::kFloat32).device(output_device));
  }
  return torch::cat(outputs).to(output_device);
}

}  // namespace

torch::Tensor Model::predict(const torch::Tensor& x, const PredictOptions& options) {
  const FlushDenormalScope flush(config::flush_denormal());  // as TensorFlow, unless turned off
  check_batch_size(options.batch_size, "predict");
  EpochIterator data(Batches{prepare_inputs(*this, x, "predict"), {}, options.batch_size}, /*shuffle=*/false);
  return predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, x.device());
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
  EpochIterator data = dataset_batches(*this, nullptr, dataset, options.steps, "predict");
  data.peek();
  return predict_loop(*this, data, options, compiled_ && compiled_->bf16_mixed, torch::kCPU);
}

}  // namespace tkeras
