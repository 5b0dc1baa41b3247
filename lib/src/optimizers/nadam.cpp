// Nadam: Keras's options, checks, config, variables and update rule; registered as "Nadam".
#include "tkeras/optimizers/nadam.h"

#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class NadamImpl final : public OptimizerWith<NadamImpl, NadamOptions> {
 public:
  static constexpr const char* kClassName = "Nadam";
  static constexpr const char* kName = "nadam";

  explicit NadamImpl(const NadamOptions& options) : OptimizerWith(options) { check_moments(kClassName, options); }

  Config get_config() const override { return moments_config(options_); }

  // Keras's Nadam.build: a momentum and a velocity per weight, interleaved, then the product of
  // the momentum schedule, starting at 1.
  SlotGroups slots() const override { return {{Slot{"momentums"}, Slot{"velocities"}}}; }
  std::vector<Slot> variables() const override { return {Slot{"u_product", 1.0}}; }

  // Keras: u_t = beta_1 (1 - 0.5 * 0.96^t); the product P_t = P_{t-1} u_t is kept, before the step;
  // m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2);
  // w -= lr (u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)) / (sqrt(v / (1 - beta_2^t)) + epsilon).
  void update_step(UpdateStep& step) const override {
    const double beta_1 = options_.beta_1;
    const double beta_2 = options_.beta_2;
    const Scalar& t = step.iterations();
    const Scalar u_t = beta_1 * (1.0 - 0.5 * pow(0.96, t));
    const Scalar u_next = beta_1 * (1.0 - 0.5 * pow(0.96, t + 1.0));
    step.set_variable("u_product", step.variable("u_product") * u_t);
    const Scalar product = step.variable("u_product");
    const torch::Tensor& g = step.gradients();
    torch::Tensor& m = step.slot("momentums");
    torch::Tensor& v = step.slot("velocities");
    torch::Tensor& denominator = step.scratch();
    m.mul_(beta_1).add_(g, 1.0 - beta_1);
    v.mul_(beta_2).addcmul_(g, g, 1.0 - beta_2);
    denominator.copy_(v);
    step.scale(denominator, 1.0 / (1.0 - pow(beta_2, t)));
    denominator.sqrt_().add_(options_.epsilon);
    const Scalar& lr = step.learning_rate();
    step.sub_ratios(step.weights(), lr * u_next / (1.0 - product * u_next), m, lr * (1.0 - u_t) / (1.0 - product), g,
                    denominator);
  }
};

}  // namespace detail

Nadam::Nadam(NadamOptions options) : Optimizer(std::make_unique<detail::NadamImpl>(options)) {}

Nadam Nadam::from_config(const Config& config) {
  return Nadam(detail::read_moments<NadamOptions>(ConfigReader(config)));
}

const registry::Registrar<Nadam> nadam_registration("Nadam");

}  // namespace tkeras::optimizers
