// Keras's Adam update rule, which AdamW shares (internal).
#pragma once

#include <string_view>

#include "optimizers/optimizer_impl.h"

namespace tkeras::optimizers::detail {

/// Adam's variables and update (adam.cpp): momentums and velocities, with amsgrad the largest
/// velocities seen; float32 weights on the CPU go through LibTorch's fused kernel.
struct AdamRule {
  double beta_1;
  double beta_2;
  double epsilon;
  bool amsgrad;

  /// Adam's rule from Adam's or AdamW's options, after Keras's checks of the learning rate, the
  /// betas and the options every optimizer has (messages start with `optimizer`).
  template <typename Options>
  static AdamRule checked(std::string_view optimizer, const Options& options) {
    check_learning_rate(optimizer, options.learning_rate);
    check_unit_interval(optimizer, "beta_1", options.beta_1);
    check_unit_interval(optimizer, "beta_2", options.beta_2);
    check_common(optimizer, options);
    return {options.beta_1, options.beta_2, options.epsilon, options.amsgrad};
  }
  /// Keras's `Adam.get_config` (which AdamW's extends), with the options every optimizer has.
  template <typename Options>
  static Config config(const Options& options) {
    return with_common(Config{{"learning_rate", options.learning_rate},
                              {"beta_1", options.beta_1},
                              {"beta_2", options.beta_2},
                              {"epsilon", options.epsilon},
                              {"amsgrad", options.amsgrad}},
                       options);
  }

  /// Reads what `config` writes (and the options every optimizer has) into `options`, whose values
  /// stay where the config has none (Keras's `from_config`).
  template <typename Options>
  static Options from_config(const ConfigReader& read, Options options) {
    options.learning_rate = read_learning_rate(read, options.learning_rate);
    options.beta_1 = read.number("beta_1", options.beta_1);
    options.beta_2 = read.number("beta_2", options.beta_2);
    options.epsilon = read.number("epsilon", options.epsilon);
    options.amsgrad = read.boolean("amsgrad", options.amsgrad);
    return read_common(read, options);
  }

  /// Keras's `Adam.build`: momentums and velocities interleaved, then velocity_hats with amsgrad.
  SlotGroups slots() const;
  /// Keras's `Adam.update_step`.
  void update_step(UpdateStep& step) const;
};

}  // namespace tkeras::optimizers::detail
