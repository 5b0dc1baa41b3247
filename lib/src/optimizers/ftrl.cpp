// Ftrl: Keras's options, checks, config, variables and update rule; registered as "Ftrl".
#include "tkeras/optimizers/ftrl.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace detail {

class FtrlImpl final : public OptimizerWith<FtrlImpl, FtrlOptions> {
 public:
  static constexpr const char* kClassName = "Ftrl";
  static constexpr const char* kName = "ftrl";

  explicit FtrlImpl(const FtrlOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    // Keras's checks, with its words.
    if (!(options.learning_rate_power <= 0.0)) {
      throw Error(
          fmt::format("{}: expected learning_rate_power <= 0, received {}", kClassName, options.learning_rate_power));
    }
    for (const auto& [name, value] :
         {std::pair<const char*, double>{"initial_accumulator_value", options.initial_accumulator_value},
          {"l1_regularization_strength", options.l1_regularization_strength},
          {"l2_regularization_strength", options.l2_regularization_strength},
          {"l2_shrinkage_regularization_strength", options.l2_shrinkage_regularization_strength}}) {
      if (!(value >= 0.0)) throw Error(fmt::format("{}: expected {} >= 0, received {}", kClassName, name, value));
    }
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(Config{{"learning_rate", options_.learning_rate},
                              {"learning_rate_power", options_.learning_rate_power},
                              {"initial_accumulator_value", options_.initial_accumulator_value},
                              {"l1_regularization_strength", options_.l1_regularization_strength},
                              {"l2_regularization_strength", options_.l2_regularization_strength},
                              {"l2_shrinkage_regularization_strength", options_.l2_shrinkage_regularization_strength},
                              {"beta", options_.beta}},
                       options_);
  }

  // Keras's Ftrl.build: an accumulator (starting at initial_accumulator_value) and a linear term
  // per weight, interleaved.
  SlotGroups slots() const override {
    return {{Slot{"accumulators", options_.initial_accumulator_value}, Slot{"linears"}}};
  }

  // Keras, with p = -learning_rate_power: n' = n + g^2;
  // z += g + 2 l2_shrinkage w - (n'^p - n^p) / lr * w;
  // w = (clip(z, -l1, l1) - z) / ((n'^p + beta) / lr + 2 l2); n = n'. The difference of the two
  // powers is taken before it meets w and 1 / lr, as Keras takes it: n'^p goes into the
  // gradients' buffer once they are spent, so that no step allocates.
  void update_step(UpdateStep& step) const override {
    const double power = -options_.learning_rate_power;
    const double l1 = options_.l1_regularization_strength;
    const Scalar inverse_lr = 1.0 / step.learning_rate();
    torch::Tensor& g = step.gradients();
    torch::Tensor& w = step.weights();
    torch::Tensor& accumulator = step.slot("accumulators");
    torch::Tensor& linear = step.slot("linears");
    torch::Tensor& scratch = step.scratch();
    torch::pow_out(scratch, accumulator, power);
    accumulator.addcmul_(g, g);
    linear.add_(g).add_(w, 2.0 * options_.l2_shrinkage_regularization_strength);
    torch::Tensor& new_power = g;  // the gradients are spent
    torch::pow_out(new_power, accumulator, power);
    torch::sub_out(scratch, new_power, scratch).mul_(w);
    step.sub_scaled(linear, inverse_lr, scratch);
    new_power.add_(options_.beta);
    step.scale(new_power, inverse_lr);
    new_power.add_(2.0 * options_.l2_regularization_strength);
    torch::clamp_out(w, linear, -l1, l1);
    w.sub_(linear).div_(new_power);
  }
};

}  // namespace detail

Ftrl::Ftrl(FtrlOptions options) : Optimizer(std::make_unique<detail::FtrlImpl>(options)) {}

Ftrl Ftrl::from_config(const Config& config) {
  const ConfigReader read(config);
  const FtrlOptions defaults;
  return Ftrl(detail::read_common(
      read,
      FtrlOptions{
          .learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
          .learning_rate_power = read.number("learning_rate_power", defaults.learning_rate_power),
          .initial_accumulator_value = read.number("initial_accumulator_value", defaults.initial_accumulator_value),
          .l1_regularization_strength = read.number("l1_regularization_strength", defaults.l1_regularization_strength),
          .l2_regularization_strength = read.number("l2_regularization_strength", defaults.l2_regularization_strength),
          .l2_shrinkage_regularization_strength =
              read.number("l2_shrinkage_regularization_strength", defaults.l2_shrinkage_regularization_strength),
          .beta = read.number("beta", defaults.beta)}));
}

const registry::Registrar<Ftrl> ftrl_registration("Ftrl");

}  // namespace tkeras::optimizers
