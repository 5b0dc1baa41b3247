// Adadelta: Keras's options, checks, config, variables and update rule; registered as "Adadelta".
#include "tkeras/optimizers/adadelta.h"

#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class AdadeltaImpl final : public OptimizerWith<AdadeltaImpl, AdadeltaOptions> {
 public:
  static constexpr const char* kClassName = "Adadelta";
  static constexpr const char* kName = "adadelta";

  explicit AdadeltaImpl(const AdadeltaOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    check_unit_interval(kClassName, "rho", options.rho);
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(
        Config{{"learning_rate", options_.learning_rate}, {"rho", options_.rho}, {"epsilon", options_.epsilon}},
        options_);
  }

  // Keras's Adadelta.build: an accumulated gradient and an accumulated step per weight, interleaved.
  SlotGroups slots() const override { return {{Slot{"accumulated_grads"}, Slot{"accumulated_delta_vars"}}}; }

  // Keras: a = rho a + (1 - rho) g^2; d = -sqrt(b + epsilon) g / sqrt(a + epsilon);
  // b = rho b + (1 - rho) d^2; w += lr d. (The scratch buffer holds -d.)
  void update_step(UpdateStep& step) const override {
    torch::Tensor& g = step.gradients();
    torch::Tensor& accumulated_grad = step.slot("accumulated_grads");
    torch::Tensor& accumulated_delta = step.slot("accumulated_delta_vars");
    torch::Tensor& minus_delta = step.scratch();
    const double rho = options_.rho;
    accumulated_grad.mul_(rho).addcmul_(g, g, 1.0 - rho);
    torch::add_out(minus_delta, accumulated_delta, options_.epsilon);
    minus_delta.sqrt_().mul_(g);
    // The gradients are spent: their buffer takes sqrt(a + epsilon), so that no step allocates.
    torch::add_out(g, accumulated_grad, options_.epsilon).sqrt_();
    minus_delta.div_(g);
    accumulated_delta.mul_(rho).addcmul_(minus_delta, minus_delta, 1.0 - rho);
    step.sub_scaled(step.weights(), step.learning_rate(), minus_delta);
  }
};

}  // namespace detail

Adadelta::Adadelta(AdadeltaOptions options) : Optimizer(std::make_unique<detail::AdadeltaImpl>(options)) {}

Adadelta Adadelta::from_config(const Config& config) {
  const ConfigReader read(config);
  const AdadeltaOptions defaults;
  return Adadelta(detail::read_common(
      read, AdadeltaOptions{.learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
                            .rho = read.number("rho", defaults.rho),
                            .epsilon = read.number("epsilon", defaults.epsilon)}));
}

const registry::Registrar<Adadelta> adadelta_registration("Adadelta");

}  // namespace tkeras::optimizers
