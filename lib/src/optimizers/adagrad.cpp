// Adagrad: Keras's options, checks, config, accumulators and update rule; registered as "Adagrad".
#include "tkeras/optimizers/adagrad.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace detail {

class AdagradImpl final : public OptimizerWith<AdagradImpl, AdagradOptions> {
 public:
  static constexpr const char* kClassName = "Adagrad";
  static constexpr const char* kName = "adagrad";

  explicit AdagradImpl(const AdagradOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    if (!(options.initial_accumulator_value >= 0.0)) {
      throw Error(fmt::format("{}: expected an initial_accumulator_value >= 0, received {}", kClassName,
                              options.initial_accumulator_value));
    }
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(Config{{"learning_rate", options_.learning_rate},
                              {"initial_accumulator_value", options_.initial_accumulator_value},
                              {"epsilon", options_.epsilon}},
                       options_);
  }

  // Keras's Adagrad.build: accumulators, from initial_accumulator_value.
  SlotGroups slots() const override { return {{Slot{"accumulators", options_.initial_accumulator_value}}}; }

  // Keras: accumulator += g^2; w -= lr * g / sqrt(accumulator + epsilon).
  void update_step(UpdateStep& step) const override {
    const torch::Tensor& g = step.gradients();
    torch::Tensor& accumulator = step.slot("accumulators");
    torch::Tensor& denominator = step.scratch();
    accumulator.addcmul_(g, g);
    torch::add_out(denominator, accumulator, options_.epsilon);
    denominator.sqrt_();
    step.sub_ratio(step.weights(), step.learning_rate(), g, denominator);
  }
};

}  // namespace detail

Adagrad::Adagrad(AdagradOptions options) : Optimizer(std::make_unique<detail::AdagradImpl>(options)) {}

Adagrad Adagrad::from_config(const Config& config) {
  const ConfigReader read(config);
  const AdagradOptions defaults;
  return Adagrad(detail::read_common(
      read, AdagradOptions{.learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
                           .initial_accumulator_value =
                               read.number("initial_accumulator_value", defaults.initial_accumulator_value),
                           .epsilon = read.number("epsilon", defaults.epsilon)}));
}

const registry::Registrar<Adagrad> adagrad_registration("Adagrad");

}  // namespace tkeras::optimizers
