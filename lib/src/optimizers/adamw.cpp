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
  AdamWOptions options = detail::AdamRule::from_config(read, AdamWOptions{});
  options.weight_decay = read.number("weight_decay", options.weight_decay);
  return AdamW(options);
}

const registry::Registrar<AdamW> adamw_registration("AdamW");

}  // namespace tkeras::optimizers
