// Adam: Keras's options, checks, config, variables and update rule (through LibTorch's fused kernel
// on float32 CPU weights), registered as "Adam".
#include "tkeras/optimizers/adam.h"

#include <cmath>

#include <torch/torch.h>

#include "optimizers/adam_rule.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class AdamImpl final : public OptimizerWith<AdamImpl, AdamOptions> {
 public:
  static constexpr const char* kClassName = "Adam";
  static constexpr const char* kName = "adam";

  explicit AdamImpl(const AdamOptions& options)
      : OptimizerWith(options), rule_(AdamRule::checked(kClassName, options)) {}

  Config get_config() const override { return AdamRule::config(options_); }
  SlotGroups slots() const override { return rule_.slots(); }
  void update_step(UpdateStep& step) const override { rule_.update_step(step); }

 private:
  AdamRule rule_;
};

SlotGroups AdamRule::slots() const {
  SlotGroups groups = {{Slot{"momentums"}, Slot{"velocities"}}};
  if (amsgrad) groups.push_back({Slot{"velocity_hats"}});
  return groups;
}

// Keras: alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); m += (g - m)(1 - beta_1);
// v += (g^2 - v)(1 - beta_2) (amsgrad: v_hat = max(v_hat, v), used for v); w -= alpha * m / (sqrt(v) + epsilon).
void AdamRule::update_step(UpdateStep& step) const {
  torch::Tensor& w = step.weights();
  torch::Tensor& m = step.slot("momentums");
  torch::Tensor& v = step.slot("velocities");
  if (!step.capturable() && w.device().is_cpu() && w.scalar_type() == torch::kFloat32) {
    // LibTorch's fused Adam (one pass over the buffers) puts epsilon after the bias correction:
    // w -= lr / (1 - beta_1^t) * m / (sqrt(v) / sqrt(1 - beta_2^t) + eps'), which is Keras's rule
    // exactly for eps' = epsilon / sqrt(1 - beta_2^t). It takes lists, so the gradients go in as
    // backward left them, without the copy into one buffer.
    const double t = step.iterations().value();
    const double fused_epsilon = epsilon / std::sqrt(1.0 - std::pow(beta_2, t));
    const std::vector<torch::Tensor>& g = step.gradient_list();
    const std::vector<torch::Tensor> steps(g.size(), step.iterations_tensor());
    at::_fused_adam_(step.weight_list(), g, step.slot_list("momentums"), step.slot_list("velocities"),
                     amsgrad ? step.slot_list("velocity_hats") : std::vector<torch::Tensor>{}, steps,
                     step.learning_rate().value(), beta_1, beta_2, /*weight_decay=*/0.0, fused_epsilon, amsgrad,
                     /*maximize=*/false);
    return;
  }
  const torch::Tensor& g = step.gradients();
  const Scalar& t = step.iterations();
  const Scalar alpha = step.learning_rate() * sqrt(1.0 - pow(beta_2, t)) / (1.0 - pow(beta_1, t));
  m.mul_(beta_1).add_(g, 1.0 - beta_1);
  v.mul_(beta_2).addcmul_(g, g, 1.0 - beta_2);
  torch::Tensor& largest_v = amsgrad ? step.slot("velocity_hats") : v;
  if (amsgrad) torch::maximum_out(largest_v, largest_v, v);
  torch::sqrt_out(step.scratch(), largest_v);
  step.scratch().add_(epsilon);
  step.sub_ratio(w, alpha, m, step.scratch());
}

}  // namespace detail

Adam::Adam(AdamOptions options) : Optimizer(std::make_unique<detail::AdamImpl>(options)) {}

Adam Adam::from_config(const Config& config) {
  return Adam(detail::AdamRule::from_config(ConfigReader(config), AdamOptions{}));
}

const registry::Registrar<Adam> adam_registration("Adam");

}  // namespace tkeras::optimizers
