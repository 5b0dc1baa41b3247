// Lamb: Keras's options, checks, config, variables and update rule; registered as "Lamb".
#include "tkeras/optimizers/lamb.h"

#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class LambImpl final : public OptimizerWith<LambImpl, LambOptions> {
 public:
  static constexpr const char* kClassName = "Lamb";
  static constexpr const char* kName = "lamb";

  explicit LambImpl(const LambOptions& options) : OptimizerWith(options) { check_moments(kClassName, options); }

  Config get_config() const override { return moments_config(options_); }

  // Keras's Lamb.build: a momentum and a velocity per weight, interleaved.
  SlotGroups slots() const override { return {{Slot{"momentums"}, Slot{"velocities"}}}; }

  // Keras: m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2);
  // u = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon); per weight, the trust ratio
  // r = ||w|| / ||u|| (1 when either is 0); w -= lr r u.
  void update_step(UpdateStep& step) const override {
    const double beta_1 = options_.beta_1;
    const double beta_2 = options_.beta_2;
    const Scalar& t = step.iterations();
    const torch::Tensor& g = step.gradients();
    torch::Tensor& m = step.slot("momentums");
    torch::Tensor& v = step.slot("velocities");
    torch::Tensor& update = step.scratch();
    m.mul_(beta_1).add_(g, 1.0 - beta_1);
    v.mul_(beta_2).addcmul_(g, g, 1.0 - beta_2);
    update.copy_(v);
    step.scale(update, 1.0 / (1.0 - pow(beta_2, t)));
    update.sqrt_().add_(options_.epsilon);
    torch::div_out(update, m, update);
    step.scale(update, 1.0 / (1.0 - pow(beta_1, t)));
    // The norms of all weights and of all their steps in two kernels; the ratios stay on the device.
    const torch::Tensor weight_norms = torch::stack(at::_foreach_norm(step.weight_list(), 2));
    const torch::Tensor update_norms = torch::stack(at::_foreach_norm(step.scratch_list(), 2));
    const torch::Tensor ratios = torch::where((weight_norms > 0) & (update_norms > 0), weight_norms / update_norms,
                                              torch::ones_like(weight_norms));
    at::_foreach_mul_(step.scratch_list(), ratios.unbind());
    step.sub_scaled(step.weights(), step.learning_rate(), update);
  }
};

}  // namespace detail

Lamb::Lamb(LambOptions options) : Optimizer(std::make_unique<detail::LambImpl>(options)) {}

Lamb Lamb::from_config(const Config& config) { return Lamb(detail::read_moments<LambOptions>(ConfigReader(config))); }

const registry::Registrar<Lamb> lamb_registration("Lamb");

}  // namespace tkeras::optimizers
