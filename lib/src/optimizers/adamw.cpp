// AdamW: Keras's options, checks and config; Adam's variables and update rule (as Keras's AdamW
// subclasses Adam), the weight decay being the one every optimizer applies; registered as "AdamW".
#include "tkeras/optimizers/adamw.h"

#include "optimizers/adam_rule.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class AdamWImpl final : public OptimizerWith<AdamWImpl, AdamWOptions> {
 public:
  static constexpr const char* kClassName = "AdamW";
  static constexpr const char* kName = "adamw";

  explicit AdamWImpl(const AdamWOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    check_unit_interval(kClassName, "beta_1", options.beta_1);
    check_unit_interval(kClassName, "beta_2", options.beta_2);
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(Config{{"learning_rate", options_.learning_rate},
                              {"weight_decay", options_.weight_decay},
                              {"beta_1", options_.beta_1},
                              {"beta_2", options_.beta_2},
                              {"epsilon", options_.epsilon},
                              {"amsgrad", options_.amsgrad}},
                       options_);
  }
  SlotGroups slots() const override { return rule().slots(); }
  void update_step(UpdateStep& step) const override { rule().update_step(step); }

 private:
  AdamRule rule() const { return {options_.beta_1, options_.beta_2, options_.epsilon, options_.amsgrad}; }
};

}  // namespace detail

AdamW::AdamW(AdamWOptions options) : Optimizer(std::make_unique<detail::AdamWImpl>(options)) {}

AdamW AdamW::from_config(const Config& config) {
  const ConfigReader read(config);
  const AdamWOptions defaults;
  return AdamW(
      detail::read_common(read, AdamWOptions{.learning_rate = read.number("learning_rate", defaults.learning_rate),
                                             .weight_decay = read.number("weight_decay", defaults.weight_decay),
                                             .beta_1 = read.number("beta_1", defaults.beta_1),
                                             .beta_2 = read.number("beta_2", defaults.beta_2),
                                             .epsilon = read.number("epsilon", defaults.epsilon),
                                             .amsgrad = read.boolean("amsgrad", defaults.amsgrad)}));
}

const registry::Registrar<AdamW> adamw_registration("AdamW");

}  // namespace tkeras::optimizers
