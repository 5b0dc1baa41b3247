// Adamax: Keras's options, checks, config, variables and update rule; registered as "Adamax".
#include "tkeras/optimizers/adamax.h"

#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"

namespace tkeras::optimizers {
namespace detail {

class AdamaxImpl final : public OptimizerWith<AdamaxImpl, AdamaxOptions> {
 public:
  static constexpr const char* kClassName = "Adamax";
  static constexpr const char* kName = "adamax";

  explicit AdamaxImpl(const AdamaxOptions& options) : OptimizerWith(options) { check_moments(kClassName, options); }

  Config get_config() const override { return moments_config(options_); }

  // Keras's Adamax.build: a momentum and a norm per weight, interleaved.
  SlotGroups slots() const override { return {{Slot{"momentums"}, Slot{"norms"}}}; }

  // Keras: m += (g - m)(1 - beta_1); u = max(beta_2 u, |g|); w -= lr m / ((1 - beta_1^t)(u + epsilon)).
  void update_step(UpdateStep& step) const override {
    const torch::Tensor& g = step.gradients();
    torch::Tensor& m = step.slot("momentums");
    torch::Tensor& u = step.slot("norms");
    torch::Tensor& scratch = step.scratch();
    m.mul_(options_.beta_1).add_(g, 1.0 - options_.beta_1);
    u.mul_(options_.beta_2);
    torch::abs_out(scratch, g);
    torch::maximum_out(u, u, scratch);
    torch::add_out(scratch, u, options_.epsilon);
    step.sub_ratio(step.weights(), step.learning_rate() / (1.0 - pow(options_.beta_1, step.iterations())), m, scratch);
  }
};

}  // namespace detail

Adamax::Adamax(AdamaxOptions options) : Optimizer(std::make_unique<detail::AdamaxImpl>(options)) {}

Adamax Adamax::from_config(const Config& config) {
  return Adamax(detail::read_moments<AdamaxOptions>(ConfigReader(config)));
}

const registry::Registrar<Adamax> adamax_registration("Adamax");

}  // namespace tkeras::optimizers
