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

  explicit AdamWImpl(const AdamWOptions& options)
      : OptimizerWith(options), rule_(AdamRule::checked(kClassName, options)) {}

  Config get_config() const override {
    Config config = AdamRule::config(options_);
    config["weight_decay"] = options_.weight_decay;
    return config;
  }
  SlotGroups slots() const override { return rule_.slots(); }
  void update_step(UpdateStep& step) const override { rule_.update_step(step); }

 private:
  AdamRule rule_;
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
