// Keras's Adam, AdamW, SGD, RMSprop and Adagrad over one flat buffer of weights, with Keras's
// clipping and weight decay.
#include "training/updater.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <variant>

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

// Adam and AdamW share the update rule (AdamW's decay is the common weight decay).
template <typename Options>
constexpr bool kIsAdam =
    std::is_same_v<Options, optimizers::AdamOptions> || std::is_same_v<Options, optimizers::AdamWOptions>;

}  // namespace

Updater::Updater(optimizers::Optimizer config, std::vector<torch::Tensor> weights, bool capturable)
    : config_(std::move(config)), weights_(std::move(weights)), capturable_(capturable) {
  check_weights(weights_);
  flatten_weights();
  allocate_slots();
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
    for (size_t i = 0; i < slots.size(); ++i) {
      const torch::Tensor& slot = i == 0 ? slot_a_ : i == 1 ? slot_b_ : slot_c_;
      if (slot.defined()) slots[i] = slot.narrow(0, offset, weight.numel()).clone();
    }
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
      for (size_t i = 0; i < found->second.second.size(); ++i) {
        torch::Tensor& slot = i == 0 ? slot_a_ : i == 1 ? slot_b_ : slot_c_;
        const torch::Tensor& saved = found->second.second[i];
        if (slot.defined() && saved.defined()) slot.narrow(0, offset, weight.numel()).copy_(saved);
      }
      states.erase(found);
    }
    offset += weight.numel();
  }
  parked_ = std::move(states);  // the weights frozen now
}

void Updater::allocate_slots() {
  slot_a_ = slot_b_ = slot_c_ = torch::Tensor();
  if (weights_.empty()) return;
  const auto zeros = [&] { return torch::zeros_like(flat_weights_); };
  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (kIsAdam<Options>) {
          slot_a_ = zeros();
          slot_b_ = zeros();
          if (options.amsgrad) slot_c_ = zeros();
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          if (options.momentum != 0.0) slot_a_ = zeros();
        } else if constexpr (std::is_same_v<Options, optimizers::AdagradOptions>) {
          slot_a_ = torch::full_like(flat_weights_, options.initial_accumulator_value);
        } else {
          slot_a_ = zeros();
          if (options.centered) slot_b_ = zeros();
          if (options.momentum > 0.0) slot_c_ = zeros();
        }
      },
      config_.options());
}

// Keeps the state on the weights' device (a model moved with `to` moves its weights, and the
// next step follows them), with the scratch buffer and fused kernel that device uses.
void Updater::place_state() {
  fused_ = false;
  if (weights_.empty()) return;
  const torch::Device device = flat_weights_.device();
  for (torch::Tensor* slot : {&slot_a_, &slot_b_, &slot_c_}) {
    if (slot->defined() && slot->device() != device) *slot = slot->to(device);
  }
  if (capturable_) {
    device_iterations_ = device_iterations_.to(device);
    device_learning_rate_ = device_learning_rate_.to(device);
  }
  scratch_ = torch::empty_like(flat_weights_);
  fused_ = !capturable_ && device.is_cpu() && flat_weights_.scalar_type() == torch::kFloat32;
  if (fused_ && !step_.defined()) step_ = torch::zeros({}, flat_weights_.options());
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
    torch::Tensor slice = flat_weights_.narrow(0, offset, weight.numel());
    slice.copy_(weight.reshape(-1));
    weight.set_data(slice.view(weight.sizes()));
    offset += weight.numel();
  }
  flat_grads_ = torch::empty_like(flat_weights_);
  grad_views_.resize(weights_.size());
  grad_slices_.clear();
  std::vector<int64_t> counts;
  offset = 0;
  for (const torch::Tensor& weight : weights_) {
    grad_slices_.push_back(flat_grads_.narrow(0, offset, weight.numel()));
    counts.push_back(weight.numel());
    offset += weight.numel();
  }
  weight_sizes_ = torch::tensor(counts, torch::kLong).to(flat_weights_.device());
}

void Updater::zero_grad() {
  for (torch::Tensor& weight : weights_) weight.mutable_grad() = torch::Tensor();
}

void Updater::step() {
  apply();
  count_step();
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

  for (size_t i = 0; i < weights_.size(); ++i) {
    const torch::Tensor& grad = weights_[i].grad();
    grad_views_[i] = grad.defined() ? grad.reshape(-1) : torch::zeros({weights_[i].numel()}, flat_grads_.options());
  }
  torch::cat_out(flat_grads_, grad_views_);
  if (reduce_gradients_) reduce_gradients_(flat_grads_);
  const torch::Tensor& g = flat_grads_;
  clip_gradients();
  decay_weights();
  if (capturable_) {
    apply_on_device(g);
    return;
  }
  const auto step = static_cast<double>(iterations_ + 1);

  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        const double lr = options.learning_rate;
        if constexpr (kIsAdam<Options>) {
          // Keras: alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); m += (g - m)(1 - beta_1);
          // v += (g^2 - v)(1 - beta_2); w -= alpha * m / (sqrt(v) + epsilon).
          const double alpha =
              lr * std::sqrt(1.0 - std::pow(options.beta_2, step)) / (1.0 - std::pow(options.beta_1, step));
          if (fused_) {
            // LibTorch's fused Adam (one pass over the buffers) puts epsilon after the bias
            // correction: w -= lr / (1 - beta_1^t) * m / (sqrt(v) / sqrt(1 - beta_2^t) + eps'),
            // which is Keras's rule exactly for eps' = epsilon / sqrt(1 - beta_2^t).
            step_.fill_(step);
            const double epsilon = options.epsilon / std::sqrt(1.0 - std::pow(options.beta_2, step));
            const std::vector<torch::Tensor> v_hat =
                options.amsgrad ? std::vector<torch::Tensor>{slot_c_} : std::vector<torch::Tensor>{};
            at::_fused_adam_({flat_weights_}, {g}, {slot_a_}, {slot_b_}, v_hat, {step_}, lr, options.beta_1,
                             options.beta_2, /*weight_decay=*/0.0, epsilon, options.amsgrad, /*maximize=*/false);
            return;
          }
          adam_moments(options.beta_1, options.beta_2, options.epsilon, options.amsgrad, g);
          flat_weights_.addcdiv_(slot_a_, scratch_, -alpha);
        } else if constexpr (std::is_same_v<Options, optimizers::AdagradOptions>) {
          // Keras: accumulator += g^2; w -= lr * g / sqrt(accumulator + epsilon).
          adagrad_denominator(options, g);
          flat_weights_.addcdiv_(g, scratch_, -lr);
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          // Keras: m = momentum * m - lr * g; w += m (Nesterov: w += momentum * m - lr * g).
          if (options.momentum == 0.0) {
            flat_weights_.add_(g, -lr);
          } else {
            slot_a_.mul_(options.momentum).add_(g, -lr);
            if (options.nesterov) {
              flat_weights_.add_(slot_a_, options.momentum).add_(g, -lr);
            } else {
              flat_weights_.add_(slot_a_);
            }
          }
        } else {
          rmsprop_denominator(options, g);
          if (options.momentum > 0.0) {
            slot_c_.mul_(options.momentum).addcdiv_(g, scratch_, lr);
            flat_weights_.sub_(slot_c_);
          } else {
            flat_weights_.addcdiv_(g, scratch_, -lr);
          }
        }
      },
      config_.options());
}

// Keras's Adam moments: m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2) (amsgrad: v_hat =
// max(v_hat, v)); leaves sqrt(v) + epsilon in scratch_.
void Updater::adam_moments(double beta_1, double beta_2, double epsilon, bool amsgrad, const torch::Tensor& g) {
  slot_a_.mul_(beta_1).add_(g, 1.0 - beta_1);
  slot_b_.mul_(beta_2).addcmul_(g, g, 1.0 - beta_2);
  torch::Tensor v = slot_b_;
  if (amsgrad) {
    torch::maximum_out(slot_c_, slot_c_, slot_b_);
    v = slot_c_;
  }
  torch::sqrt_out(scratch_, v);
  scratch_.add_(epsilon);
}

// Keras's Adagrad: accumulator += g^2; leaves sqrt(accumulator + epsilon) in scratch_.
void Updater::adagrad_denominator(const optimizers::AdagradOptions& options, const torch::Tensor& g) {
  slot_a_.addcmul_(g, g);
  torch::add_out(scratch_, slot_a_, options.epsilon);
  scratch_.sqrt_();
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
void Updater::decay_weights() {
  const auto weight_decay = config_.weight_decay();
  if (!weight_decay || *weight_decay == 0.0) return;
  if (capturable_) {
    flat_weights_.mul_(1.0 - *weight_decay * device_learning_rate_);
  } else {
    flat_weights_.mul_(1.0 - *weight_decay * config_.learning_rate());
  }
}

// Keras's RMSprop: velocity = rho * velocity + (1 - rho) g^2; centered: minus the squared
// average gradient; leaves sqrt(denominator + epsilon) in scratch_ (the increment is
// lr * g / scratch_).
void Updater::rmsprop_denominator(const optimizers::RMSpropOptions& options, const torch::Tensor& g) {
  slot_a_.mul_(options.rho).addcmul_(g, g, 1.0 - options.rho);
  if (options.centered) {
    slot_b_.mul_(options.rho).add_(g, 1.0 - options.rho);
    torch::addcmul_out(scratch_, slot_a_, slot_b_, slot_b_, -1.0);
    scratch_.add_(options.epsilon).sqrt_();
  } else {
    torch::add_out(scratch_, slot_a_, options.epsilon);
    scratch_.sqrt_();
  }
}

// The same rules with the step count and learning rate read from device scalars: the kernels
// and their host arguments are the same every step. The scalar work (a few one-element
// kernels) is free inside a CUDA graph.
void Updater::apply_on_device(const torch::Tensor& g) {
  device_iterations_.add_(1);
  const torch::Tensor& lr = device_learning_rate_;
  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (kIsAdam<Options>) {
          const torch::Tensor alpha = lr * torch::sqrt(1.0 - torch::pow(options.beta_2, device_iterations_)) /
                                      (1.0 - torch::pow(options.beta_1, device_iterations_));
          adam_moments(options.beta_1, options.beta_2, options.epsilon, options.amsgrad, g);
          torch::div_out(scratch_, slot_a_, scratch_);
          flat_weights_.sub_(scratch_.mul_(alpha));
        } else if constexpr (std::is_same_v<Options, optimizers::AdagradOptions>) {
          adagrad_denominator(options, g);
          torch::div_out(scratch_, g, scratch_).mul_(lr);  // lr * g / denominator
          flat_weights_.sub_(scratch_);
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          torch::mul_out(scratch_, g, lr);  // lr * g
          if (options.momentum == 0.0) {
            flat_weights_.sub_(scratch_);
          } else {
            slot_a_.mul_(options.momentum).sub_(scratch_);
            if (options.nesterov) {
              flat_weights_.add_(slot_a_, options.momentum).sub_(scratch_);
            } else {
              flat_weights_.add_(slot_a_);
            }
          }
        } else {
          rmsprop_denominator(options, g);
          torch::div_out(scratch_, g, scratch_).mul_(lr);  // lr * g / denominator
          if (options.momentum > 0.0) {
            slot_c_.mul_(options.momentum).add_(scratch_);
            flat_weights_.sub_(slot_c_);
          } else {
            flat_weights_.sub_(scratch_);
          }
        }
      },
      config_.options());
}

std::vector<std::pair<std::string, torch::Tensor>> Updater::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  named.emplace_back("optimizer.iterations", torch::tensor(iterations_, torch::kLong));
  const auto add = [&](const char* name, const torch::Tensor& slot) {
    if (slot.defined()) named.emplace_back(name, slot);
  };
  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (kIsAdam<Options>) {
          add("optimizer.momentums", slot_a_);
          add("optimizer.velocities", slot_b_);
          add("optimizer.velocity_hats", slot_c_);
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          add("optimizer.momentums", slot_a_);
        } else if constexpr (std::is_same_v<Options, optimizers::AdagradOptions>) {
          add("optimizer.accumulators", slot_a_);
        } else {
          add("optimizer.velocities", slot_a_);
          add("optimizer.average_gradients", slot_b_);
          add("optimizer.momentums", slot_c_);
        }
      },
      config_.options());
  return named;
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
  for (auto& [name, ours] : state()) {
    if (name == "optimizer.iterations") {
      iterations_ = tensors.at(name).item<int64_t>();
      if (capturable_) device_iterations_.fill_(static_cast<double>(iterations_));
    } else {
      ours.copy_(tensors.at(name));
    }
  }
}

}  // namespace tkeras::training
