// EpochIterator: the batches of each epoch, from tensors or from a dataset, as Keras's (internal).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "distribute/process_group.h"
#include "tkeras/data/dataset.h"
#include "training/batches.h"

namespace tkeras::training {

/// One batch of an epoch: batch `step` of in-memory `batches` (read from there, so that a jit
/// step can gather it straight into its buffers), or a batch a dataset produced, already on the
/// device.
struct StepBatch {
  Batches* batches = nullptr;
  int64_t step = 0;
  std::vector<torch::Tensor> x{};  ///< a dataset's batch: one tensor per input
  std::vector<torch::Tensor> y{};  ///< and per output
  std::vector<torch::Tensor> w{};  ///< the dataset batch's sample weights `[N]` per output; empty: none
  /// Data-parallel, a dataset's batch: its rows over all processes (`x` holds this process's).
  int64_t global = -1;

  int64_t size() const { return batches != nullptr ? batches->length(step) : x.front().size(0); }
  /// The batch's rows over all processes: `size()` unless data-parallel.
  int64_t global_size() const {
    return batches != nullptr ? batches->global_length(step) : global >= 0 ? global : x.front().size(0);
  }
  std::vector<torch::Tensor> inputs() const { return batches != nullptr ? batches->x_batch(step) : x; }
  std::vector<torch::Tensor> targets() const { return batches != nullptr ? batches->y_batch(step) : y; }
  /// The sample weights `[N]`, one per output; empty when the data has none.
  std::vector<torch::Tensor> sample_weights() const { return batches != nullptr ? batches->w_batch(step) : w; }
  /// Whether the batch has sample weights.
  bool weighted() const { return batches != nullptr ? !batches->w.empty() : !w.empty(); }
  /// Writes the batch into `x_out`, `y_out` and (when weighted) `w_out`, which have its shapes.
  void copy_to(std::vector<torch::Tensor>& x_out, std::vector<torch::Tensor>& y_out,
               std::vector<torch::Tensor>& w_out) const;
};

/// The batches of `fit`'s epochs (or of one evaluate or predict run), with Keras's
/// `EpochIterator` rules for datasets:
/// - without `steps_per_epoch` each epoch is one whole pass over the dataset;
/// - with it, each epoch takes that many batches and the next epoch goes on where the last one
///   stopped; once a pass has given `cardinality` batches the next epoch starts a new pass. A pass
///   that runs out within an epoch ends the epoch early, with Keras's warning.
class EpochIterator {
 public:
  /// Turns a dataset's batch into the step's tensors (`x`, `y` and `w` of a `StepBatch`): checked,
  /// in the model's order, on the device, as the losses want them.
  using Prepare = std::function<StepBatch(data::Element)>;

  /// Batches of tensors, reshuffled at each epoch with `shuffle`. With a data-parallel `group`,
  /// this process's rows of each batch, in rank 0's order.
  EpochIterator(Batches batches, bool shuffle, distribute::detail::ProcessGroup* group = nullptr);
  /// Batches of `dataset`, each prepared with `prepare`; `entry` names the caller in messages.
  /// With a data-parallel `group`, this process's rows of each (global) batch: ceil(rows /
  /// processes) of them, in rank order.
  EpochIterator(data::Dataset dataset, std::optional<int64_t> steps_per_epoch, Prepare prepare, std::string entry,
                distribute::detail::ProcessGroup* group = nullptr);

  /// Batches per epoch; 0 while not known (a dataset of unknown length, before a pass ended).
  int64_t steps() const;
  /// The first batch of the data, without consuming it (to build the model and choose metrics).
  /// Throws `tkeras::Error` for an empty dataset.
  const StepBatch& peek();
  /// Starts an epoch.
  void start_epoch();
  /// The epoch's next batch; nothing once the epoch is over.
  std::optional<StepBatch> next();

 private:
  std::optional<StepBatch> pull();

  std::optional<Batches> batches_;
  bool shuffle_ = false;
  distribute::detail::ProcessGroup* group_ = nullptr;
  std::optional<data::Dataset> dataset_;
  std::optional<int64_t> steps_per_epoch_;
  Prepare prepare_;
  std::string entry_;
  int64_t cardinality_ = data::Dataset::kUnknown;
  std::optional<data::Dataset::Iterator> pass_;
  int64_t seen_in_pass_ = 0;
  std::optional<StepBatch> pending_;
  int64_t step_ = 0;
  bool started_ = false;
};

/// The data of one `fit`: the training batches and, when there is validation data, a function that
/// starts a new pass over it (one per validation, as Keras reads validation data from its start).
struct FitData {
  EpochIterator train;
  std::function<EpochIterator()> validation;
};

}  // namespace tkeras::training
