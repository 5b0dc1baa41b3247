// RMSprop: Keras's options, checks, config, variables and update rule, centered and with momentum;
// registered as "RMSprop".
#include "tkeras/optimizers/rmsprop.h"

#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class RMSpropImpl final : public OptimizerWith<RMSpropImpl, RMSpropOptions> {
 public:
  static constexpr const char* kClassName = "RMSprop";
  static constexpr const char* kName = "rmsprop";

  explicit RMSpropImpl(const RMSpropOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    check_unit_interval(kClassName, "rho", options.rho);
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(Config{{"learning_rate", options_.learning_rate},
                              {"rho", options_.rho},
                              {"momentum", options_.momentum},
                              {"epsilon", options_.epsilon},
                              {"centered", options_.centered}},
                       options_);
  }

  // Keras's RMSprop.build: velocities, then momentums with a momentum, then average_gradients
  // when centered.
  SlotGroups slots() const override {
    SlotGroups groups = {{Slot{"velocities"}}};
    if (options_.momentum > 0.0) groups.push_back({Slot{"momentums"}});
    if (options_.centered) groups.push_back({Slot{"average_gradients"}});
    return groups;
  }

  // Keras: velocity = rho * velocity + (1 - rho) g^2; centered, average_gradient likewise with g,
  // and the denominator velocity - average_gradient^2; increment = lr * g / sqrt(denominator +
  // epsilon); with momentum, momentum = momentum * momentum + increment and w -= momentum, else
  // w -= increment.
  void update_step(UpdateStep& step) const override {
    const double rho = options_.rho;
    torch::Tensor& w = step.weights();
    const torch::Tensor& g = step.gradients();
    torch::Tensor& velocity = step.slot("velocities");
    torch::Tensor& denominator = step.scratch();
    velocity.mul_(rho).addcmul_(g, g, 1.0 - rho);
    if (options_.centered) {
      torch::Tensor& average = step.slot("average_gradients");
      average.mul_(rho).add_(g, 1.0 - rho);
      torch::addcmul_out(denominator, velocity, average, average, -1.0);
      denominator.add_(options_.epsilon).sqrt_();
    } else {
      torch::add_out(denominator, velocity, options_.epsilon);
      denominator.sqrt_();
    }
    if (options_.momentum > 0.0) {
      torch::Tensor& momentum = step.slot("momentums");
      momentum.mul_(options_.momentum);
      step.add_ratio(momentum, step.learning_rate(), g, denominator);
      w.sub_(momentum);
    } else {
      step.sub_ratio(w, step.learning_rate(), g, denominator);
    }
  }
};

}  // namespace detail

RMSprop::RMSprop(RMSpropOptions options) : Optimizer(std::make_unique<detail::RMSpropImpl>(options)) {}

RMSprop RMSprop::from_config(const Config& config) {
  const ConfigReader read(config);
  const RMSpropOptions defaults;
  return RMSprop(detail::read_common(
      read, RMSpropOptions{.learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
                           .rho = read.number("rho", defaults.rho),
                           .momentum = read.number("momentum", defaults.momentum),
                           .epsilon = read.number("epsilon", defaults.epsilon),
                           .centered = read.boolean("centered", defaults.centered)}));
}

const registry::Registrar<RMSprop> rmsprop_registration("RMSprop");

}  // namespace tkeras::optimizers
