// An optimizer's update over one flat buffer of weights, with Keras's clipping and weight decay;
// the optimizer's slots kept, parked for frozen weights, saved and restored.
#include "training/updater.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::training {

namespace {

void check_weights(const std::vector<torch::Tensor>& weights) {
  for (const torch::Tensor& weight : weights) {
    if (weight.scalar_type() != weights.front().scalar_type() || weight.device() != weights.front().device()) {
      throw Error(
          fmt::format("optimizer: expected all trainable weights of one dtype and device, received {} on {} "
                      "beside {} on {}",
                      c10::toString(weight.scalar_type()), weight.device().str(),
                      c10::toString(weights.front().scalar_type()), weights.front().device().str()));
    }
  }
}

}  // namespace

Updater::Updater(optimizers::Optimizer config, std::vector<torch::Tensor> weights, bool capturable)
    : config_(std::move(config)), weights_(std::move(weights)), capturable_(capturable) {
  for (const auto& group : config_.impl().slots()) slot_list_.insert(slot_list_.end(), group.begin(), group.end());
  variable_list_ = config_.impl().variables();
  check_weights(weights_);
  flatten_weights();
  allocate_slots();
  const auto dtype = weights_.empty() ? torch::kFloat : weights_.front().scalar_type();
  for (const optimizers::detail::Slot& variable : variable_list_) {
    // Rounded to the weights' dtype, as Keras's variable of that dtype starts.
    const torch::Tensor initial = torch::full({}, variable.initial_value, torch::TensorOptions().dtype(dtype));
    variables_.emplace_back(capturable_ ? optimizers::detail::Scalar(initial) : initial.item<double>());
  }
  if (capturable_) {
    const auto scalar = torch::TensorOptions().dtype(torch::kFloat64);
    device_iterations_ = torch::zeros({}, scalar);
    device_learning_rate_ = torch::full({}, config_.learning_rate(), scalar);
  }
  place_state();
}

void Updater::set_weights(std::vector<torch::Tensor> weights) {
  const auto same = [&] {
    if (weights.size() != weights_.size()) return false;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i].unsafeGetTensorImpl() != weights_[i].unsafeGetTensorImpl()) return false;
    }
    return true;
  };
  if (same()) return;
  check_weights(weights);
  const torch::NoGradGuard no_grad;
  // Every weight's state as it stands, by weight: the current ones' slices of the buffers, and
  // the parked state of weights frozen earlier (as Keras's optimizer keeps a frozen variable's
  // slots, so that unfreezing it goes on from them).
  std::map<const c10::TensorImpl*, std::pair<torch::Tensor, Slots>> states = std::move(parked_);
  parked_.clear();
  int64_t offset = 0;
  for (const torch::Tensor& weight : weights_) {
    Slots slots;
    for (const torch::Tensor& slot : slots_) slots.push_back(slot.narrow(0, offset, weight.numel()).clone());
    states.insert_or_assign(weight.unsafeGetTensorImpl(), std::make_pair(weight, std::move(slots)));
    offset += weight.numel();
  }
  weights_ = std::move(weights);
  flatten_weights();
  allocate_slots();
  place_state();
  offset = 0;
  for (const torch::Tensor& weight : weights_) {
    const auto found = states.find(weight.unsafeGetTensorImpl());
    if (found != states.end()) {
      const Slots& saved = found->second.second;
      for (size_t i = 0; i < slots_.size() && i < saved.size(); ++i) {
        slots_[i].narrow(0, offset, weight.numel()).copy_(saved[i]);
      }
      states.erase(found);
    }
    offset += weight.numel();
  }
  parked_ = std::move(states);  // the weights frozen now
}

void Updater::allocate_slots() {
  slots_.clear();
  if (weights_.empty()) return;
  for (const optimizers::detail::Slot& slot : slot_list_) {
    slots_.push_back(torch::full_like(flat_weights_, slot.initial_value));
  }
}

// Keeps the state on the weights' device (a model moved with `to` moves its weights, and the
// next step follows them), with a scratch buffer there.
void Updater::place_state() {
  if (weights_.empty()) return;
  const torch::Device device = flat_weights_.device();
  for (torch::Tensor& slot : slots_) {
    if (slot.device() != device) slot = slot.to(device);
  }
  if (capturable_) {
    device_iterations_ = device_iterations_.to(device);
    device_learning_rate_ = device_learning_rate_.to(device);
    for (optimizers::detail::Scalar& variable : variables_) {
      if (variable.tensor().device() != device) variable = optimizers::detail::Scalar(variable.tensor().to(device));
    }
  }
  scratch_ = torch::empty_like(flat_weights_);
  scratch_parts_ = scratch_.split_with_sizes(counts_);
  weight_parts_ = flat_weights_.split_with_sizes(counts_);
  slot_parts_.clear();
  for (const torch::Tensor& slot : slots_) slot_parts_.push_back(slot.split_with_sizes(counts_));
}

void Updater::set_learning_rate(double learning_rate) {
  config_.set_learning_rate(learning_rate);
  // A kernel with the value as its argument, queued before the next step: no host sync.
  if (capturable_) device_learning_rate_.fill_(learning_rate);
}

bool Updater::weights_in_place() const {
  if (weights_.empty()) return true;
  int64_t offset = 0;
  for (const torch::Tensor& weight : weights_) {
    if (weight.data_ptr() !=
        static_cast<char*>(flat_weights_.data_ptr()) + offset * static_cast<int64_t>(flat_weights_.element_size())) {
      return false;
    }
    offset += weight.numel();
  }
  return true;
}

// Copies the weights into one buffer and makes each weight a view of its slice; the layers hold
// the same tensors, so they see the new storage.
void Updater::flatten_weights() {
  if (weights_.empty()) return;
  const torch::NoGradGuard no_grad;
  int64_t total = 0;
  for (const torch::Tensor& weight : weights_) total += weight.numel();
  flat_weights_ = torch::empty({total}, weights_.front().options().requires_grad(false));
  int64_t offset = 0;
  for (torch::Tensor& weight : weights_) {
    // A weight keeps its memory layout (Dense's kernel is stored transposed, see dense.cpp).
    const torch::Tensor slice = flat_weights_.narrow(0, offset, weight.numel());
    torch::Tensor placed = weight.is_non_overlapping_and_dense()
                               ? slice.as_strided(weight.sizes(), weight.strides(), slice.storage_offset())
                               : slice.view(weight.sizes());
    placed.copy_(weight);
    weight.set_data(placed);
    offset += weight.numel();
  }
  flat_grads_ = torch::empty_like(flat_weights_);
  grad_parts_.resize(weights_.size());
  grad_slices_.clear();
  counts_.clear();
  offset = 0;
  for (const torch::Tensor& weight : weights_) {
    grad_slices_.push_back(flat_grads_.narrow(0, offset, weight.numel()));
    counts_.push_back(weight.numel());
    offset += weight.numel();
  }
  weight_sizes_ = torch::tensor(counts_, torch::kLong).to(flat_weights_.device());
}

bool Updater::row_major() const {
  return std::all_of(weights_.begin(), weights_.end(),
                     [](const torch::Tensor& weight) { return weight.is_contiguous(); });
}

torch::Tensor Updater::as_weight(const torch::Tensor& buffer, size_t index, int64_t offset) const {
  return buffer.as_strided(weights_[index].sizes(), weights_[index].strides(), buffer.storage_offset() + offset);
}

// Weight `index`'s gradient, its values in the order of the weight's memory (a view when backward
// laid it out as the weight, as LibTorch's autograd does; 0 when the loss did not reach the weight).
torch::Tensor Updater::gradient_part(size_t index) const {
  const torch::Tensor& weight = weights_[index];
  const torch::Tensor& grad = weight.grad();
  if (!grad.defined()) return torch::zeros({weight.numel()}, flat_grads_.options());
  if (grad.strides() == weight.strides() && grad.is_non_overlapping_and_dense()) {
    return grad.as_strided({grad.numel()}, {1});
  }
  torch::Tensor laid_out = torch::empty_like(weight, at::MemoryFormat::Preserve);
  laid_out.copy_(grad);
  return laid_out.as_strided({laid_out.numel()}, {1});
}

void Updater::zero_grad() {
  for (torch::Tensor& weight : weights_) weight.mutable_grad() = torch::Tensor();
}

void Updater::step() {
  apply();
  count_step();
}

void Updater::count_step() {
  ++iterations_;
  for (const torch::Tensor& weight : weights_) torch::autograd::impl::bump_version(weight);
}

void Updater::apply() {
  if (weights_.empty()) return;
  const torch::NoGradGuard no_grad;
  // Something outside (a device move, torch::load) may have given a weight new storage: gather
  // them again, with the state on their device.
  if (!weights_in_place()) {
    flatten_weights();
    place_state();
  }

  for (size_t i = 0; i < weights_.size(); ++i) grad_parts_[i] = gradient_part(i);
  // Summed over processes or clipped, the gradients are gathered into one buffer first; otherwise
  // the rule gathers them only if it needs them in one piece (Adam's fused kernel takes a list).
  const bool gather = reduce_gradients_ || config_.clipnorm() || config_.global_clipnorm() || config_.clipvalue();
  if (gather) {
    torch::cat_out(flat_grads_, grad_parts_);
    if (reduce_gradients_) reduce_gradients_(flat_grads_);
    clip_gradients();
    grad_parts_ = grad_slices_;
  }
  // Capturable: the step count and learning rate are device scalars, counted and read by kernels,
  // so the rule launches the same kernels with the same arguments every step.
  using optimizers::detail::Scalar;
  if (capturable_) device_iterations_.add_(1);
  // A schedule's rate at the updates done before this one (Keras's iterations), computed by kernels
  // from the device's count when capturable.
  const auto& schedule = config_.learning_rate_schedule();
  const Scalar learning_rate = !capturable_ ? Scalar(config_.learning_rate_at(iterations_))
                               : schedule   ? Scalar((*schedule)(device_iterations_ - 1.0))
                                            : Scalar(device_learning_rate_);
  const Scalar iterations = capturable_ ? Scalar(device_iterations_) : Scalar(static_cast<double>(iterations_ + 1));
  decay_weights(learning_rate);
  optimizers::detail::UpdateStep step(
      flat_weights_, {grad_parts_, flat_grads_, weight_parts_, slot_parts_, scratch_parts_, gather}, slot_list_, slots_,
      variable_list_, variables_, scratch_, step_tensor_, learning_rate, iterations);
  config_.impl().update_step(step);
  // Backward's gradients are not held past the update, so the next forward pass can reuse them.
  for (torch::Tensor& part : grad_parts_) part = torch::Tensor();
}

// Keras's _clip_gradients, one of: each weight's gradient scaled by clipnorm / max(its norm,
// clipnorm); all of them by global_clipnorm / max(their joint norm, global_clipnorm); each value
// clipped into [-clipvalue, clipvalue]. Device ops only, so that a CUDA graph can capture them.
void Updater::clip_gradients() {
  if (const auto clipnorm = config_.clipnorm()) {
    const torch::Tensor norms = torch::stack(at::_foreach_norm(grad_slices_, 2));
    const torch::Tensor factors = *clipnorm / norms.clamp_min(*clipnorm);
    flat_grads_.mul_(torch::repeat_interleave(factors, weight_sizes_, 0, flat_grads_.numel()));
  } else if (const auto global_clipnorm = config_.global_clipnorm()) {
    flat_grads_.mul_(*global_clipnorm / flat_grads_.norm().clamp_min(*global_clipnorm));
  } else if (const auto clipvalue = config_.clipvalue()) {
    flat_grads_.clamp_(-*clipvalue, *clipvalue);
  }
}

// Keras's _apply_weight_decay, before the update: w *= 1 - weight_decay * learning_rate.
void Updater::decay_weights(const optimizers::detail::Scalar& learning_rate) {
  const auto weight_decay = config_.weight_decay();
  if (!weight_decay || *weight_decay == 0.0) return;
  const optimizers::detail::Scalar factor = 1.0 - *weight_decay * learning_rate;
  if (factor.on_device()) {
    flat_weights_.mul_(factor.tensor());
  } else {
    flat_weights_.mul_(factor.value());
  }
}

std::vector<std::pair<std::string, torch::Tensor>> Updater::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  named.emplace_back("optimizer.iterations", torch::tensor(iterations_, torch::kLong));
  const bool live = row_major();
  for (size_t i = 0; i < slots_.size(); ++i) {
    torch::Tensor values = slots_[i];
    if (!live) {
      // Each weight's values in the order of its shape, as the files keep them.
      std::vector<torch::Tensor> parts;
      int64_t offset = 0;
      for (size_t w = 0; w < weights_.size(); ++w) {
        parts.push_back(as_weight(slots_[i], w, offset).reshape(-1));
        offset += counts_[w];
      }
      values = torch::cat(parts);
    }
    named.emplace_back("optimizer." + slot_list_[i].name, std::move(values));
  }
  const auto dtype = weights_.empty() ? torch::kFloat : weights_.front().scalar_type();
  for (size_t i = 0; i < variables_.size(); ++i) {
    const optimizers::detail::Scalar& value = variables_[i];
    named.emplace_back("optimizer." + variable_list_[i].name,
                       value.on_device() ? value.tensor().to(dtype) : torch::tensor(value.value(), dtype));
  }
  return named;
}

std::vector<std::string> Updater::scalar_variables() const {
  std::vector<std::string> names;
  for (const optimizers::detail::Slot& variable : variable_list_) names.push_back("optimizer." + variable.name);
  return names;
}

std::vector<std::vector<std::string>> Updater::slot_groups() const {
  std::vector<std::vector<std::string>> groups = config_.slot_groups();
  for (auto& group : groups) {
    for (std::string& name : group) name = "optimizer." + name;
  }
  return groups;
}

void Updater::check_state(const std::map<std::string, torch::Tensor>& tensors, std::string_view path) const {
  for (const auto& [name, ours] : state()) {
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      throw Error(fmt::format("\"{}\": no tensor \"{}\" for the {} optimizer's state", path, name, config_.name()));
    }
    const torch::Tensor& tensor = found->second;
    if (tensor.sizes() != ours.sizes() || tensor.scalar_type() != ours.scalar_type()) {
      throw Error(fmt::format("\"{}\": tensor \"{}\" is {} of shape {}; the {} optimizer expects {} of shape {}", path,
                              name, c10::toString(tensor.scalar_type()), format_shape(tensor.sizes().vec()),
                              config_.name(), c10::toString(ours.scalar_type()), format_shape(ours.sizes().vec())));
    }
  }
  const torch::Tensor& iterations = tensors.at("optimizer.iterations");
  if (iterations.item<int64_t>() < 0) {
    throw Error(
        fmt::format("\"{}\": expected optimizer.iterations >= 0, received {}", path, iterations.item<int64_t>()));
  }
}

void Updater::set_state(const std::map<std::string, torch::Tensor>& tensors) {
  const torch::NoGradGuard no_grad;
  iterations_ = tensors.at("optimizer.iterations").item<int64_t>();
  if (capturable_) device_iterations_.fill_(static_cast<double>(iterations_));
  const bool live = row_major();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const torch::Tensor& values = tensors.at("optimizer." + slot_list_[i].name);
    if (live) {
      slots_[i].copy_(values);
      continue;
    }
    // Each weight's values come in the order of its shape (see state()).
    int64_t offset = 0;
    for (size_t w = 0; w < weights_.size(); ++w) {
      as_weight(slots_[i], w, offset).copy_(values.narrow(0, offset, counts_[w]).view(weights_[w].sizes()));
      offset += counts_[w];
    }
  }
  for (size_t i = 0; i < variables_.size(); ++i) {
    const torch::Tensor& value = tensors.at("optimizer." + variable_list_[i].name);
    if (variables_[i].on_device()) {
      variables_[i].tensor().copy_(value);
    } else {
      variables_[i] = value.item<double>();
    }
  }
}

}  // namespace tkeras::training
