// SGD: Keras's options, checks, config, momentums and update rule, with Nesterov's momentum;
// registered as "SGD".
#include "tkeras/optimizers/sgd.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace detail {

class SGDImpl final : public OptimizerWith<SGDImpl, SGDOptions> {
 public:
  static constexpr const char* kClassName = "SGD";
  static constexpr const char* kName = "sgd";

  explicit SGDImpl(const SGDOptions& options) : OptimizerWith(options) {
    check_learning_rate(kClassName, options.learning_rate);
    if (!(options.momentum >= 0.0)) {
      throw Error(fmt::format("{}: expected a momentum >= 0, received {}", kClassName, options.momentum));
    }
    if (options.nesterov && options.momentum == 0.0) {
      throw Error(fmt::format("{}: nesterov needs a positive momentum, received momentum 0", kClassName));
    }
    check_common(kClassName, options);
  }

  Config get_config() const override {
    return with_common(Config{{"learning_rate", options_.learning_rate},
                              {"momentum", options_.momentum},
                              {"nesterov", options_.nesterov}},
                       options_);
  }

  // Keras's SGD.build: momentums only with a momentum.
  SlotGroups slots() const override {
    if (options_.momentum == 0.0) return {};
    return {{Slot{"momentums"}}};
  }

  // Keras: w -= lr * g; with momentum, m = momentum * m - lr * g, then w += m (Nesterov:
  // w += momentum * m - lr * g).
  void update_step(UpdateStep& step) const override {
    torch::Tensor& w = step.weights();
    const torch::Tensor& g = step.gradients();
    const Scalar& lr = step.learning_rate();
    if (options_.momentum == 0.0) {
      step.sub_scaled(w, lr, g);
      return;
    }
    torch::Tensor& m = step.slot("momentums");
    m.mul_(options_.momentum);
    step.sub_scaled(m, lr, g);
    if (options_.nesterov) {
      w.add_(m, options_.momentum);
      step.sub_scaled(w, lr, g);
    } else {
      w.add_(m);
    }
  }
};

}  // namespace detail

SGD::SGD(SGDOptions options) : Optimizer(std::make_unique<detail::SGDImpl>(options)) {}

SGD SGD::from_config(const Config& config) {
  const ConfigReader read(config);
  const SGDOptions defaults;
  return SGD(
      detail::read_common(read, SGDOptions{.learning_rate = detail::read_learning_rate(read, defaults.learning_rate),
                                           .momentum = read.number("momentum", defaults.momentum),
                                           .nesterov = read.boolean("nesterov", defaults.nesterov)}));
}

const registry::Registrar<SGD> sgd_registration("SGD");

}  // namespace tkeras::optimizers
