// The optimizer's state and update rule, applied to all trainable weights at once (internal).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "optimizers/optimizer_impl.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::training {

/// Applies an optimizer's update rule, with Keras's gradient clipping and weight decay, to a
/// model's trainable weights; the optimizer names its slots (Adam's momentums...) and does the update,
/// the updater keeps them.
///
/// The weights are moved into one flat buffer (each weight becomes a view of its slice, in its
/// own memory layout, so the layers keep their tensors), and every step gathers the gradients into
/// a second flat buffer with one `cat` (Adam's fused kernel takes them as a list instead), then
/// updates all weights with a handful of element-wise ops over the whole
/// buffer: 5-7 ops a step whatever the number of layers, where `torch::optim` runs about 8 ops
/// and 2 allocations per weight, plus a string-keyed state look-up per weight.
class Updater {
 public:
  /// An updater with `config`'s rule for `weights` (all of one dtype and device).
  ///
  /// `capturable` (PyTorch's name for the same thing): the step count and learning rate live in
  /// device tensors too, and the update computes Adam's bias corrections from them on the
  /// device, so that `apply()` launches the same kernels with the same arguments every step and
  /// can be captured in a CUDA graph. The results equal the default's within float32 rounding;
  /// on the CPU the default is faster (an optimizer may run as one fused pass there). Default: false.
  Updater(optimizers::Optimizer config, std::vector<torch::Tensor> weights, bool capturable = false);

  /// Updates `weights` from now on instead (layers were frozen or unfrozen): a weight that stays
  /// keeps its state (Adam's moments...); a weight that leaves keeps it aside, and takes it back
  /// when it returns, as a frozen variable keeps its slots in Keras's optimizer; a weight never
  /// updated before starts afresh. The step count is kept. Nothing changes when the weights
  /// are the same.
  void set_weights(std::vector<torch::Tensor> weights);
  /// Forgets the gradients, so that the next backward pass writes fresh ones.
  void zero_grad();
  /// Applies one update from the weights' current gradients (a missing gradient counts as 0):
  /// `apply()`, then `count_step()`.
  void step();
  /// The device work of `step()`, without counting it on the host. Capturable updaters touch
  /// no host state here, so a CUDA graph can capture it; count each replay with `count_step()`.
  void apply();
  /// Counts one applied update in `iterations()`, and moves the weights' version counters, as an
  /// in-place op would: the update wrote their values through the flat buffer, behind autograd, so
  /// what was computed from them (a convolution's kept kernel) must be made again.
  void count_step();
  /// Whether every weight is still the view of the flat buffer that `apply()` updates (false
  /// after something gave a weight new storage; the next `apply()` then gathers them again).
  bool weights_in_place() const;
  /// Whether there is any weight to update (none when every layer is frozen).
  bool has_weights() const { return !weights_.empty(); }
  /// Whether the step count and learning rate live on the device (see the constructor).
  bool capturable() const { return capturable_; }
  /// Data-parallel: `reduce` sums the flat gradient buffer over the processes, in place, before
  /// clipping and the update (so every process takes the same step); empty: none. Default: none.
  void set_gradient_reduction(std::function<void(torch::Tensor&)> reduce) { reduce_gradients_ = std::move(reduce); }

  /// The learning rate the next update uses: the number, or the schedule's value at
  /// `iterations()` (Keras's `optimizer.learning_rate`).
  double learning_rate() const { return config_.learning_rate_at(iterations_); }
  /// Changes the learning rate in place; the state is kept.
  void set_learning_rate(double learning_rate);
  /// The updates applied so far (Keras's `optimizer.iterations`).
  int64_t iterations() const { return iterations_; }
  /// The configuration, with the current learning rate.
  const optimizers::Optimizer& config() const { return config_; }

  /// The state to save: `optimizer.iterations` (an int64 scalar), each slot as one flat
  /// buffer over the trainable weights in order, named `optimizer.` and the optimizer's name for
  /// it (Adam: `optimizer.momentums`, `optimizer.velocities`), in the order of `slot_groups()`,
  /// then each scalar variable (0-d, of the weights' dtype), as `scalar_variables()` names them.
  /// Each weight's values are in the order of its shape: the tensors are the live buffers when
  /// every weight is stored row-major, copies otherwise (Dense's kernel is stored transposed).
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  /// The names `state()` gives the slots, grouped as the optimizer's `slot_groups()` (Keras's
  /// order of its variables).
  std::vector<std::vector<std::string>> slot_groups() const;
  /// The names `state()` gives the optimizer's scalar variables, in Keras's order, after the slots
  /// (Nadam: `optimizer.u_product`).
  std::vector<std::string> scalar_variables() const;
  /// Throws `tkeras::Error` naming `path` unless `tensors` holds every tensor `state()` names, of
  /// the same shape and dtype, and a non-negative iteration count. Other names are ignored.
  void check_state(const std::map<std::string, torch::Tensor>& tensors, std::string_view path) const;
  /// Copies the state from `tensors`, which `check_state` has accepted.
  void set_state(const std::map<std::string, torch::Tensor>& tensors);

 private:
  void flatten_weights();
  bool row_major() const;  // every weight stored in the order of its shape
  // `buffer` (of the flat layout) as weight `index`, whose slice starts at `offset`: its shape and strides.
  torch::Tensor as_weight(const torch::Tensor& buffer, size_t index, int64_t offset) const;
  torch::Tensor gradient_part(size_t index) const;
  void allocate_slots();
  void place_state();
  void clip_gradients();
  void decay_weights(const optimizers::detail::Scalar& learning_rate);

  using Slots = std::vector<torch::Tensor>;  // a weight's slices of the slots

  optimizers::Optimizer config_;
  std::vector<optimizers::detail::Slot> slot_list_;  // the optimizer's slots, its groups one after another
  std::vector<torch::Tensor> weights_;
  // The state of weights no longer updated (frozen), kept with the weight itself.
  std::map<const c10::TensorImpl*, std::pair<torch::Tensor, Slots>> parked_;
  torch::Tensor flat_weights_;
  torch::Tensor flat_grads_;
  std::vector<torch::Tensor> grad_parts_;                // each weight's gradient, 1-D in its memory order
  std::vector<torch::Tensor> grad_slices_;               // each weight's slice of flat_grads_ (for clipnorm)
  std::vector<int64_t> counts_;                          // each weight's number of values
  std::vector<torch::Tensor> weight_parts_;              // flat_weights_ cut per weight
  std::vector<std::vector<torch::Tensor>> slot_parts_;   // each of slots_ cut per weight
  torch::Tensor weight_sizes_;                           // each weight's number of values, on the device
  std::vector<torch::Tensor> slots_;                     // each slot of slot_list_ over the flat buffer
  std::vector<optimizers::detail::Slot> variable_list_;  // the optimizer's scalar variables
  // Their values: host numbers in eager steps, 0-d tensors of the weights' dtype on their device
  // when capturable.
  std::vector<optimizers::detail::Scalar> variables_;
  torch::Tensor scratch_;
  std::vector<torch::Tensor> scratch_parts_;  // scratch_ cut per weight
  torch::Tensor step_tensor_;                 // see UpdateStep::iterations_tensor
  int64_t iterations_ = 0;
  bool capturable_ = false;
  std::function<void(torch::Tensor&)> reduce_gradients_;
  // Capturable only: float64 scalars on the weights' device.
  torch::Tensor device_iterations_;     // counted by apply() itself
  torch::Tensor device_learning_rate_;  // written by set_learning_rate between steps (no schedule)
};

}  // namespace tkeras::training
