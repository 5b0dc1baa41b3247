// compile, fit, evaluate and predict: the model's trainer, Keras's training loop on LibTorch.
#include <cmath>
#include <iostream>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/callbacks/callback_list.h"
#include "tkeras/core/device.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"
#include "tkeras/models/model.h"
#include "training/autocast.h"
#include "training/batches.h"
#include "training/compiled_state.h"
#include "training/metrics.h"
#include "training/train_step.h"

namespace tkeras {
namespace {

using training::Batches;

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

void check_batch_size(int64_t batch_size, std::string_view entry) {
  if (batch_size <= 0) throw Error(fmt::format("{}: expected a positive batch_size, received {}", entry, batch_size));
}

// Checks x against the model's input (building the model from it if needed) and returns it on
// the device, as float32 when it was not floating point already.
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
  const auto dtype = x.is_floating_point() ? x.scalar_type() : torch::kFloat32;
  return x.to(model.device(), dtype);
}

Batches prepare_data(Model& model, const training::CompiledState& state, const torch::Tensor& x, const torch::Tensor& y,
                     int64_t batch_size, std::string_view entry) {
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
  torch::Tensor targets = state.loss->prepare_targets(y, model.output_shape(), layer_label(model.output_layer()));
  return {inputs, targets.to(model.device()), batch_size};
}

training::MetricsTracker make_tracker(const Model& model, const training::CompiledState& state, const Batches& data) {
  const Shape& output = model.output_shape();
  const int64_t output_rank = static_cast<int64_t>(output.size()) + 1;
  return training::MetricsTracker(training::resolve_metrics(state.metric_names, data.y.dim(), output_rank,
                                                            data.y.dim() > 1 ? data.y.size(-1) : 1, output.back()),
                                  output);
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

Logs test_loop(Model& model, const training::CompiledState& state, Batches& data, callbacks::CallbackList& callbacks) {
  const torch::NoGradGuard no_grad;
  const OutputActivation activation(model);
  training::MetricsTracker tracker = make_tracker(model, state, data);
  callbacks.on_test_begin({});
  for (int64_t step = 0; step < data.steps(); ++step) {
    callbacks.on_test_batch_begin(step, {});
    const torch::Tensor y = data.y_batch(step);
    const torch::Tensor logits =
        training::output_logits(model, data.x_batch(step), /*training=*/false, state.device, state.bf16_mixed);
    const torch::Tensor loss = state.loss->from_layer_output(y, logits, activation.name);
    tracker.update(loss, y.size(0), y, logits, activation.name, activation.apply);
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

}  // namespace

void Model::compile(const CompileOptions& options) {
  training::check_metric_names(options.metrics);
  const bool bf16_mixed = parse_precision(options.precision);
  const torch::Device device = resolve_device(options.device);
  compiled_ = std::make_shared<training::CompiledState>(options.optimizer, options.loss, options.metrics, device,
                                                        options.jit, bf16_mixed);
  to(device);
}

History Model::fit(const torch::Tensor& x, const torch::Tensor& y, const FitOptions& options) {
  training::CompiledState& state = require_compiled(compiled_, *this, "fit");
  if (options.epochs <= 0) throw Error(fmt::format("fit: expected epochs >= 1, received {}", options.epochs));
  if (options.initial_epoch < 0 || options.initial_epoch >= options.epochs) {
    throw Error(fmt::format("fit: expected initial_epoch in 0..{} (below epochs), received {}", options.epochs - 1,
                            options.initial_epoch));
  }
  check_batch_size(options.batch_size, "fit");
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    throw Error(fmt::format("fit: expected validation_split in [0, 1), received {}", options.validation_split));
  }

  Batches train_data = prepare_data(*this, state, x, y, options.batch_size, "fit");
  std::optional<Batches> validation;
  if (options.validation_data.x.defined() || options.validation_data.y.defined()) {
    validation = prepare_data(*this, state, options.validation_data.x, options.validation_data.y, options.batch_size,
                              "fit (validation_data)");
  } else if (options.validation_split > 0.0) {
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
    train_data = {x_train, y_train, options.batch_size};
    validation = Batches{x_val, y_val, options.batch_size};
  }
  // The weights trainable now: layers frozen or unfrozen since the last fit change the set.
  training::Updater& updater = state.updater(trainable_weights());
  if (!updater.has_weights()) {
    std::cerr << fmt::format(
        "{}: warning: the model does not have any trainable weights; fit computes the loss and "
        "metrics without updating anything\n",
        model_label(*this));
  }

  callbacks::CallbackList callbacks(options.callbacks, *this,
                                    {.epochs = options.epochs, .steps = train_data.steps(), .verbose = options.verbose},
                                    {.add_history = true, .add_progbar = options.verbose != 0});
  training::MetricsTracker tracker = make_tracker(*this, state, train_data);
  training::TrainStep train_step(*this, state, updater, tracker, options.batch_size);

  stop_training = false;
  Logs epoch_logs;
  callbacks.on_train_begin({});
  // BackupAndRestore may have restored a run that got further: go on from there.
  const int first_epoch = std::exchange(resume_epoch_, std::nullopt).value_or(options.initial_epoch);
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    tracker.reset();
    callbacks.on_epoch_begin(epoch, {});
    // As Keras: train() while training, so that LibTorch modules inside follow; eval() after.
    train();
    if (options.shuffle) train_data.shuffle();
    for (int64_t step = 0; step < train_data.steps(); ++step) {
      callbacks.on_train_batch_begin(step, {});
      train_step.run(train_data, step);
      callbacks.on_train_batch_end(step, batch_logs(tracker, callbacks, step));
      if (stop_training) break;
    }
    epoch_logs = tracker.result();
    eval();
    if (validation) {
      epoch_logs = merged(epoch_logs, with_prefix(test_loop(*this, state, *validation, callbacks), "val_"));
    }
    if (callbacks.logs_learning_rate()) epoch_logs["learning_rate"] = learning_rate();
    callbacks.on_epoch_end(epoch, epoch_logs);
    if (stop_training) break;
  }
  callbacks.on_train_end(epoch_logs);
  return *callbacks.history();
}

Logs Model::evaluate(const torch::Tensor& x, const torch::Tensor& y, const EvaluateOptions& options) {
  training::CompiledState& state = require_compiled(compiled_, *this, "evaluate");
  check_batch_size(options.batch_size, "evaluate");
  Batches data = prepare_data(*this, state, x, y, options.batch_size, "evaluate");
  eval();
  callbacks::CallbackList callbacks(options.callbacks, *this, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  return test_loop(*this, state, data, callbacks);
}

torch::Tensor Model::predict(const torch::Tensor& x, const PredictOptions& options) {
  check_batch_size(options.batch_size, "predict");
  Batches data{prepare_inputs(*this, x, "predict"), {}, options.batch_size};
  eval();
  callbacks::CallbackList callbacks(options.callbacks, *this, {.steps = data.steps(), .verbose = options.verbose},
                                    {.add_progbar = options.verbose != 0});
  const torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(data.steps()));
  callbacks.on_predict_begin({});
  // With bf16-mixed the layers run under autocast up to the output layer's activation, which
  // then runs in float32 (softmax rows sum to 1 within float32 rounding), as in fit.
  const bool bf16_mixed = compiled_ && compiled_->bf16_mixed;
  const OutputActivation output_activation(*this);
  for (int64_t step = 0; step < data.steps(); ++step) {
    callbacks.on_predict_batch_begin(step, {});
    outputs.push_back(output_activation.apply(
        training::output_logits(*this, data.x_batch(step), /*training=*/false, device(), bf16_mixed)));
    callbacks.on_predict_batch_end(step, {});
  }
  callbacks.on_predict_end({});
  if (outputs.empty()) {
    Shape empty_shape = {0};
    empty_shape.insert(empty_shape.end(), output_shape().begin(), output_shape().end());
    return torch::empty(empty_shape, x.options().dtype(torch::kFloat32));
  }
  return torch::cat(outputs).to(x.device());
}

}  // namespace tkeras
