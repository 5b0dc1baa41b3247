// Lion: Keras's options, checks, config, variables and update rule; registered as "Lion".
#include "tkeras/optimizers/lion.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace detail {

class LionImpl final : public OptimizerWith<LionImpl, LionOptions> {
 public:
  static constexpr const char* kClassName = "Lion";
  static constexpr const char* kName = "lion";

  explicit LionImpl(const LionOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    // Keras: beta_1 = 0 degenerates to SignSGD.
    if (!(options.beta_1 > 0.0 && options.beta_1 <= 1.0)) {
      throw Error(fmt::format("{}: expected beta_1 in (0, 1], received {}", kClassName, options.beta_1));
    }
    check_unit_interval(kClassName, "beta_2", options.beta_2);
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(
        Config{{"learning_rate", options_.learning_rate}, {"beta_1", options_.beta_1}, {"beta_2", options_.beta_2}},
        options_);
  }

  // Keras's Lion.build: a momentum per weight.
  SlotGroups slots() const override { return {{Slot{"momentums"}}}; }

  // Keras: w -= lr sign(beta_1 m + (1 - beta_1) g); m = beta_2 m + (1 - beta_2) g.
  void update_step(UpdateStep& step) const override {
    const torch::Tensor& g = step.gradients();
    torch::Tensor& m = step.slot("momentums");
    torch::Tensor& direction = step.scratch();
    torch::mul_out(direction, m, options_.beta_1);
    direction.add_(g, 1.0 - options_.beta_1).sign_();
    step.sub_scaled(step.weights(), step.learning_rate(), direction);
    m.mul_(options_.beta_2).add_(g, 1.0 - options_.beta_2);
  }
};

}  // namespace detail

Lion::Lion(LionOptions options) : Optimizer(std::make_unique<detail::LionImpl>(options)) {}

Lion Lion::from_config(const Config& config) {
  const ConfigReader read(config);
  const LionOptions defaults;
  return Lion(
      detail::read_common(read, LionOptions{.learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
                                            .beta_1 = read.number("beta_1", defaults.beta_1),
                                            .beta_2 = read.number("beta_2", defaults.beta_2)}));
}

const registry::Registrar<Lion> lion_registration("Lion");

}  // namespace tkeras::optimizers
