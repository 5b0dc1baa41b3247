// The keyword arguments of compile, fit, evaluate and predict, as designated-initializer structs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "tkeras/data/data.h"
#include "tkeras/data/dataset.h"
#include "tkeras/distribute/data_parallel.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/metric.h"
#include "tkeras/optimizers/optimizer.h"
#include "tkeras/training/callback.h"

namespace tkeras {

/// compile's loss: one for the model's output, or one per output by name (`{{"label",
/// "sparse_categorical_crossentropy"}, {"size", "mse"}}`) or by position (a list).
class LossSpec {
 public:
  /// None: the model can only `predict`.
  LossSpec() = default;
  /// One loss, by name or with options.
  LossSpec(losses::Loss loss) : losses_{std::move(loss)} {}  // NOLINT: implicit, so that `.loss = "mse"` works
  /// One loss by name.
  LossSpec(const char* name) : LossSpec(losses::Loss(name)) {}  // NOLINT: implicit, as above
  /// One loss by name.
  LossSpec(const std::string& name) : LossSpec(losses::Loss(name)) {}  // NOLINT: implicit, as above
  /// None, as `std::nullopt` reads.
  LossSpec(std::nullopt_t /*none*/) {}  // NOLINT: implicit, as above
  /// One loss per output, by position.
  LossSpec(std::vector<losses::Loss> losses) : losses_(std::move(losses)), list_(true) {}  // NOLINT
  /// One loss per output, by output name.
  LossSpec(std::initializer_list<std::pair<const std::string, losses::Loss>> named);
  /// One loss per output, by output name.
  LossSpec(const std::map<std::string, losses::Loss>& named);  // NOLINT: implicit, as above

  /// Whether a loss was given.
  explicit operator bool() const { return !losses_.empty(); }
  /// The losses, in the order given (by name: in the order of the names).
  const std::vector<losses::Loss>& losses() const { return losses_; }
  /// The output names, when given by name; else empty.
  const std::vector<std::string>& names() const { return names_; }
  /// Whether a list or names were given (rather than one loss for the model).
  bool per_output() const { return list_ || !names_.empty(); }

 private:
  std::vector<losses::Loss> losses_;
  std::vector<std::string> names_;
  bool list_ = false;
};

/// compile's metrics: metrics for the model's output (or for each output of a model of several), or
/// per output by output name (`{{"label", {"accuracy"}}}`). Each is a name or a metric object (see
/// `metrics::Identifier`).
class MetricsSpec {
 public:
  /// None.
  MetricsSpec() = default;
  /// Metric names for every output.
  MetricsSpec(const std::vector<std::string>& names)  // NOLINT: implicit, as Keras takes a list
      : all_(names.begin(), names.end()) {}
  /// Metrics for every output.
  MetricsSpec(std::vector<metrics::Identifier> metrics) : all_(std::move(metrics)) {}  // NOLINT: as above
  /// Metrics for every output: `{"accuracy", tkeras::metrics::AUC()}`.
  MetricsSpec(std::initializer_list<metrics::Identifier> metrics) : all_(metrics) {}
  /// Metrics per output, by output name.
  MetricsSpec(std::initializer_list<std::pair<const std::string, std::vector<metrics::Identifier>>> named)
      : named_(named) {}
  /// Metrics per output, by output name.
  MetricsSpec(std::map<std::string, std::vector<metrics::Identifier>> named)  // NOLINT: as above
      : named_(std::move(named)) {}

  /// The metrics for every output.
  const std::vector<metrics::Identifier>& all() const { return all_; }
  /// The metrics per output name.
  const std::map<std::string, std::vector<metrics::Identifier>>& named() const { return named_; }
  /// Whether no metric was given.
  bool empty() const { return all_.empty() && named_.empty(); }

 private:
  std::vector<metrics::Identifier> all_;
  std::map<std::string, std::vector<metrics::Identifier>> named_;
};

/// The arguments of `Model::compile`, as Keras's. Members are in the order designated
/// initializers must follow; later options are appended at the end.
///
/// Example:
/// ```
/// model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
/// ```
struct CompileOptions {
  /// The optimizer, by name or with options. Default: `"rmsprop"`, as Keras.
  optimizers::Optimizer optimizer = "rmsprop";
  /// The loss, by name or with options; for a model of several outputs one per output, by
  /// output name or position. Default: none, which allows `predict` only; `fit` and `evaluate`
  /// then throw, as in Keras.
  LossSpec loss;
  /// The weight of each output's loss in the loss `fit` minimises (the sum of the weighted
  /// losses), by output name, as Keras's `loss_weights`. Default: 1 for every output.
  std::map<std::string, double> loss_weights;
  /// Metrics to report besides the loss, by name or as objects: `accuracy` (resolved to binary,
  /// categorical or sparse categorical accuracy from the loss and shapes, as in Keras), `acc`,
  /// any name or class name `keras.metrics.get` takes (`"mse"`, `"auc"`, `"Precision"`), or a
  /// `tkeras::metrics::Metric` (`tkeras::metrics::AUC({.curve = "PR"})`); for a model of several
  /// outputs by output name, logged as `<output>_<metric>`. Default: none.
  MetricsSpec metrics;
  /// Metrics, given as `metrics` are, that weigh each sample by its sample weight (fit's
  /// `sample_weight` or `class_weight`, a dataset's `Element::sample_weight`), as Keras's
  /// `weighted_metrics`. In the logs a name that `metrics` already uses gets the prefix
  /// `weighted_`. Without sample weights they equal the unweighted metrics. Default: none.
  std::vector<metrics::Identifier> weighted_metrics;
  /// Where to train: `"auto"` (CUDA when available, else CPU), `"cpu"`, `"cuda"` or
  /// `"cuda:N"`. Default: `"auto"`.
  std::string device = "auto";
  /// Keras's `jit_compile`: train on static batch shapes with the optimizer's step count,
  /// learning rate and bias corrections kept on the device, so that on CUDA `fit` captures the
  /// whole train step (forward, loss, backward, update, metrics) as one CUDA graph after three
  /// warm-up steps and replays it per batch. A last batch of another size runs uncaptured, so no
  /// sample is dropped. On the CPU there is no graph to capture: the step runs the same way
  /// without one (same results as `jit = false` within floating-point noise, and no faster).
  /// Default: false.
  bool jit = false;
  /// The compute precision: `"float32"` (also `"32-true"`), or `"bf16-mixed"` (also Keras's
  /// `"mixed_bfloat16"`): the forward pass and loss run under LibTorch's autocast to bfloat16
  /// (matrix products and convolutions in bfloat16, reductions such as softmax and the loss in
  /// float32) while the weights and the optimizer's state stay float32. Applies to `fit`,
  /// `evaluate` and `predict` (whose outputs are float32). Default: `"float32"`.
  std::string precision = "float32";
  /// Trains on several processes or machines, as Keras's `keras.distribution.DataParallel`:
  /// `.distribute = tkeras::distribute::DataParallel{}` joins the job that torchrun, mpirun or
  /// SLURM started (see `DataParallel`); on CUDA each process trains on the GPU of its local
  /// rank. In a job of one process nothing changes. Default: none.
  std::optional<distribute::DataParallel> distribute;
};

/// Data to validate on at the end of each epoch: tensors `{x_val, y_val}` or
/// `{x_val, y_val, val_sample_weight}`, or a dataset of (x, y) batches, as Keras's
/// `validation_data`.
struct ValidationData {
  /// No validation data. Default.
  ValidationData() = default;
  /// Validation inputs `x`, targets `y` and, optionally, one weight per sample (`[N]`; per
  /// output, as fit's `sample_weight`).
  ValidationData(torch::Tensor x, torch::Tensor y, Data sample_weight = {})
      : x(std::move(x)), y(std::move(y)), sample_weight(std::move(sample_weight)) {}
  /// A dataset of (x, y) batches, read from its start at each validation.
  ValidationData(data::Dataset dataset) : dataset(std::move(dataset)) {}  // NOLINT: implicit, as Keras takes either
  /// Validation texts, for a model whose first layer is a `TextVectorization`, with their targets
  /// `y` and, optionally, one weight per sample.
  ValidationData(std::vector<std::string> texts, torch::Tensor y, Data sample_weight = {})
      : y(std::move(y)), sample_weight(std::move(sample_weight)), texts(std::move(texts)) {}

  /// Validation inputs and targets (and sample weights) of a model of several inputs or outputs,
  /// by name or position.
  ValidationData(Data x, Data y, Data sample_weight = {})
      : sample_weight(std::move(sample_weight)), inputs(std::move(x)), targets(std::move(y)) {}

  torch::Tensor x;                       ///< Validation inputs.
  torch::Tensor y;                       ///< Validation targets.
  Data sample_weight;                    ///< Validation sample weights. Default: none.
  std::optional<data::Dataset> dataset;  ///< Or a dataset of validation batches.
  std::vector<std::string> texts;        ///< Or validation texts, instead of `x`.
  Data inputs;                           ///< Or validation inputs as `Data` (several inputs).
  Data targets;                          ///< With them, validation targets as `Data`.

  /// Whether any validation data was given.
  bool given() const {
    return x.defined() || y.defined() || dataset.has_value() || !texts.empty() || inputs.size() > 0;
  }
};

/// The arguments of `Model::fit`, as Keras's. Members are in the order designated
/// initializers must follow.
///
/// Example:
/// ```
/// model.fit(x, y, {.epochs = 10, .batch_size = 32, .validation_split = 0.1});
/// ```
struct FitOptions {
  int epochs = 1;           ///< Epochs to train (up to, counting `initial_epoch`). Default: 1.
  int64_t batch_size = 32;  ///< Samples per gradient step. Default: 32.
  /// Fraction of the data, taken from its end before shuffling, to validate on instead of
  /// training, in [0, 1). Ignored when `validation_data` is given. Default: 0.
  double validation_split = 0.0;
  ValidationData validation_data;  ///< Data to validate on each epoch. Default: none.
  bool shuffle = true;             ///< Shuffle the training samples every epoch. Default: true.
  /// Weights of the classes in the loss (and the weighted metrics) while training, as Keras's
  /// `class_weight`: each sample weighs as its class, a class missing from the map weighs 1.
  /// The class of a sample is its label, rounded (`[N]` or `[N, 1]` targets), or the position
  /// of the largest value of a one-hot row (`[N, C]`). Not applied to validation data. Cannot be
  /// combined with sample weights. Default: none.
  std::map<int64_t, double> class_weight;
  /// One weight per training sample (`[N]` or `[N, 1]`), as Keras's `sample_weight`: each
  /// sample's loss is multiplied by its weight, and the batch's sum divided by its number of
  /// samples; the weighted metrics are weighted means. For a model of several outputs one
  /// tensor weighs every output, and a list or a map by output name weighs each its own. With a
  /// dataset, the weights come in its elements (`Element::sample_weight`, `sample_weights`)
  /// instead. Default: none.
  Data sample_weight;
  int verbose = 1;  ///< 0 silent, 1 and 2 one progress line per epoch. Default: 1.
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks;  ///< Default: none.
  int initial_epoch = 0;                                        ///< Epoch to start at, to resume a run. Default: 0.
  /// With a dataset: batches per epoch. Each epoch goes on where the last one stopped, so a
  /// dataset with `repeat()` can feed epochs of any length. Default: a whole pass per epoch.
  std::optional<int64_t> steps_per_epoch;
  /// With a validation dataset: batches per validation, from its start. Default: a whole pass.
  std::optional<int64_t> validation_steps;
};

/// The arguments of `Model::evaluate`.
struct EvaluateOptions {
  int64_t batch_size = 32;  ///< Samples per batch. Default: 32.
  int verbose = 1;          ///< 0 silent, 1 or 2 one result line. Default: 1.
  /// One weight per sample (`[N]` or `[N, 1]`), or per output, as fit's `sample_weight`.
  /// Default: none.
  Data sample_weight;
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks;  ///< Default: none.
  /// With a dataset: the batches to evaluate, from its start. Default: a whole pass.
  std::optional<int64_t> steps;
};

/// The arguments of `Model::predict`.
struct PredictOptions {
  int64_t batch_size = 32;  ///< Samples per batch. Default: 32.
  int verbose = 1;          ///< 0 silent, 1 or 2 one line at the end. Default: 1, as Keras.
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks;  ///< Default: none.
  /// With a dataset: the batches to predict, from its start. Default: a whole pass.
  std::optional<int64_t> steps;
};

/// The arguments of `Model::train_on_batch`, as Keras's.
struct TrainOnBatchOptions {
  /// One weight per sample, or per output, as fit's `sample_weight`. Default: none.
  Data sample_weight;
  /// A weight per class, as fit's `class_weight`; not with `sample_weight`. Default: none.
  std::map<int64_t, double> class_weight;
};

/// The arguments of `Model::test_on_batch`, as Keras's.
struct TestOnBatchOptions {
  /// One weight per sample, or per output, as evaluate's `sample_weight`. Default: none.
  Data sample_weight;
};

}  // namespace tkeras
