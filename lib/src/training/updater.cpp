// Keras's Adam, SGD and RMSprop over one flat buffer of weights.
#include "training/updater.h"

#include <cmath>
#include <variant>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::training {

Updater::Updater(optimizers::Optimizer config, std::vector<torch::Tensor> weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  for (const torch::Tensor& weight : weights_) {
    if (weight.scalar_type() != weights_.front().scalar_type() || weight.device() != weights_.front().device()) {
      throw Error(fmt::format("optimizer: expected all trainable weights of one dtype and device, received {} on {} "
                              "beside {} on {}",
                              c10::toString(weight.scalar_type()), weight.device().str(),
                              c10::toString(weights_.front().scalar_type()), weights_.front().device().str()));
    }
  }
  flatten_weights();
  const auto zeros = [&] { return torch::zeros_like(flat_weights_); };
  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<Options, optimizers::AdamOptions>) {
          slot_a_ = zeros();
          slot_b_ = zeros();
          if (options.amsgrad) slot_c_ = zeros();
        } else if constexpr (std::is_same_v<Options, optimizers::SGDOptions>) {
          if (options.momentum != 0.0) slot_a_ = zeros();
        } else {
          slot_a_ = zeros();
          if (options.centered) slot_b_ = zeros();
          if (options.momentum > 0.0) slot_c_ = zeros();
        }
      },
      config_.options());
  if (!weights_.empty()) scratch_ = torch::empty_like(flat_weights_);
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
}

void Updater::zero_grad() {
  for (torch::Tensor& weight : weights_) weight.mutable_grad() = torch::Tensor();
}

void Updater::step() {
  if (weights_.empty()) return;
  const torch::NoGradGuard no_grad;
  // Something outside (a device move) may have given a weight new storage: gather them again.
  int64_t offset = 0;
  bool flat = true;
  for (const torch::Tensor& weight : weights_) {
    flat = flat && weight.data_ptr() == static_cast<char*>(flat_weights_.data_ptr()) +
                                            offset * static_cast<int64_t>(flat_weights_.element_size());
    offset += weight.numel();
  }
  if (!flat) flatten_weights();

  for (size_t i = 0; i < weights_.size(); ++i) {
    const torch::Tensor& grad = weights_[i].grad();
    grad_views_[i] = grad.defined() ? grad.reshape(-1) : torch::zeros({weights_[i].numel()}, flat_grads_.options());
  }
  torch::cat_out(flat_grads_, grad_views_);
  const torch::Tensor& g = flat_grads_;
  ++iterations_;
  const auto step = static_cast<double>(iterations_);

  std::visit(
      [&](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        const double lr = options.learning_rate;
        if constexpr (std::is_same_v<Options, optimizers::AdamOptions>) {
          // Keras: alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); m += (g - m)(1 - beta_1);
          // v += (g^2 - v)(1 - beta_2); w -= alpha * m / (sqrt(v) + epsilon).
          const double alpha =
              lr * std::sqrt(1.0 - std::pow(options.beta_2, step)) / (1.0 - std::pow(options.beta_1, step));
          // mul_ + add_ rather than lerp_: LibTorch 1.13's CPU lerp_ is not vectorized and
          // took as long as the rest of the update together.
          slot_a_.mul_(options.beta_1).add_(g, 1.0 - options.beta_1);
          slot_b_.mul_(options.beta_2).addcmul_(g, g, 1.0 - options.beta_2);
          torch::Tensor v = slot_b_;
          if (options.amsgrad) {
            torch::maximum_out(slot_c_, slot_c_, slot_b_);
            v = slot_c_;
          }
          torch::sqrt_out(scratch_, v);
          scratch_.add_(options.epsilon);
          flat_weights_.addcdiv_(slot_a_, scratch_, -alpha);
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
          // Keras: velocity = rho * velocity + (1 - rho) g^2; centered: subtract the squared
          // average gradient; increment = lr * g / sqrt(denominator + epsilon).
          slot_a_.mul_(options.rho).addcmul_(g, g, 1.0 - options.rho);
          if (options.centered) {
            slot_b_.mul_(options.rho).add_(g, 1.0 - options.rho);
            torch::addcmul_out(scratch_, slot_a_, slot_b_, slot_b_, -1.0);
            scratch_.add_(options.epsilon).sqrt_();
          } else {
            torch::add_out(scratch_, slot_a_, options.epsilon);
            scratch_.sqrt_();
          }
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

std::vector<std::pair<std::string, torch::Tensor>> Updater::slots() const {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  const bool is_adam = std::holds_alternative<optimizers::AdamOptions>(config_.options());
  const bool is_sgd = std::holds_alternative<optimizers::SGDOptions>(config_.options());
  const char* a = is_adam ? "momentums" : is_sgd ? "momentums" : "velocities";
  const char* b = is_adam ? "velocities" : "average_gradients";
  const char* c = is_adam ? "velocity_hats" : "momentums";
  if (slot_a_.defined()) named.emplace_back(a, slot_a_);
  if (slot_b_.defined()) named.emplace_back(b, slot_b_);
  if (slot_c_.defined()) named.emplace_back(c, slot_c_);
  return named;
}

}  // namespace tkeras::training
