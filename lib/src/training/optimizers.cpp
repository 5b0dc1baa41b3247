// Optimizers: Keras's names, defaults and option checks (the update rules are in updater.cpp).
#include "tkeras/training/optimizers.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace {

OptimizerOptions options_for_name(std::string_view name) {
  if (name == "adam") return AdamOptions{};
  if (name == "sgd") return SGDOptions{};
  if (name == "rmsprop") return RMSpropOptions{};
  if (name == "adamw") return AdamWOptions{};
  if (name == "adagrad") return AdagradOptions{};
  throw Error(
      fmt::format("compile: unknown optimizer \"{}\"; expected one of: {}", name, fmt::join(Optimizer::names(), ", ")));
}

// 0 is allowed, as Keras allows it (decay schedules end there); negative and non-finite rates
// are not.
void check_learning_rate(std::string_view optimizer, double learning_rate) {
  if (!(learning_rate >= 0.0 && std::isfinite(learning_rate))) {
    throw Error(fmt::format("{}: expected a learning_rate >= 0, received {}", optimizer, learning_rate));
  }
}

void check_unit_interval(std::string_view optimizer, std::string_view option, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    throw Error(fmt::format("{}: expected {} in [0, 1), received {}", optimizer, option, value));
  }
}

// Keras refuses what is not positive for the clipping options and a negative weight decay.
void check_common(std::string_view optimizer, std::optional<double> weight_decay, std::optional<double> clipnorm,
                  std::optional<double> clipvalue, std::optional<double> global_clipnorm) {
  if (weight_decay && !(*weight_decay >= 0.0 && std::isfinite(*weight_decay))) {
    throw Error(fmt::format("{}: expected a weight_decay >= 0, received {}", optimizer, *weight_decay));
  }
  for (const auto& [name, value] : {std::pair<const char*, std::optional<double>>{"clipnorm", clipnorm},
                                    {"clipvalue", clipvalue},
                                    {"global_clipnorm", global_clipnorm}}) {
    if (value && !(*value > 0.0))
      throw Error(fmt::format("{}: expected a positive {}, received {}", optimizer, name, *value));
  }
}

template <typename Options>
void check_common(std::string_view optimizer, const Options& options) {
  check_common(optimizer, options.weight_decay, options.clipnorm, options.clipvalue, options.global_clipnorm);
}

}  // namespace

Optimizer::Optimizer(const char* name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(const std::string& name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(std::string_view name) : options_(options_for_name(name)) {}
Optimizer::Optimizer(OptimizerOptions options) : options_(options) {}

const std::vector<std::string>& Optimizer::names() {
  static const std::vector<std::string> all = {"adagrad", "adam", "adamw", "rmsprop", "sgd"};
  return all;
}

std::string Optimizer::name() const {
  static const char* const kNames[] = {"adam", "sgd", "rmsprop", "adamw", "adagrad"};
  return kNames[options_.index()];
}

std::optional<double> Optimizer::weight_decay() const {
  return std::visit([](const auto& options) { return std::optional<double>(options.weight_decay); }, options_);
}

std::optional<double> Optimizer::clipnorm() const {
  return std::visit([](const auto& options) { return options.clipnorm; }, options_);
}

std::optional<double> Optimizer::clipvalue() const {
  return std::visit([](const auto& options) { return options.clipvalue; }, options_);
}

std::optional<double> Optimizer::global_clipnorm() const {
  return std::visit([](const auto& options) { return options.global_clipnorm; }, options_);
}

double Optimizer::learning_rate() const {
  return std::visit([](const auto& options) { return options.learning_rate; }, options_);
}

void Optimizer::set_learning_rate(double learning_rate) {
  std::visit([&](auto& options) { options.learning_rate = learning_rate; }, options_);
}

Adam::Adam(AdamOptions options) : Optimizer(options) {
  check_learning_rate("Adam", options.learning_rate);
  check_unit_interval("Adam", "beta_1", options.beta_1);
  check_unit_interval("Adam", "beta_2", options.beta_2);
  check_common("Adam", options);
}

SGD::SGD(SGDOptions options) : Optimizer(options) {
  check_learning_rate("SGD", options.learning_rate);
  if (!(options.momentum >= 0.0)) {
    throw Error(fmt::format("SGD: expected a momentum >= 0, received {}", options.momentum));
  }
  if (options.nesterov && options.momentum == 0.0) {
    throw Error("SGD: nesterov needs a positive momentum, received momentum 0");
  }
  check_common("SGD", options);
}

RMSprop::RMSprop(RMSpropOptions options) : Optimizer(options) {
  check_learning_rate("RMSprop", options.learning_rate);
  check_unit_interval("RMSprop", "rho", options.rho);
  check_common("RMSprop", options);
}

AdamW::AdamW(AdamWOptions options) : Optimizer(options) {
  check_learning_rate("AdamW", options.learning_rate);
  check_unit_interval("AdamW", "beta_1", options.beta_1);
  check_unit_interval("AdamW", "beta_2", options.beta_2);
  check_common("AdamW", options.weight_decay, options.clipnorm, options.clipvalue, options.global_clipnorm);
}

Adagrad::Adagrad(AdagradOptions options) : Optimizer(options) {
  check_learning_rate("Adagrad", options.learning_rate);
  if (!(options.initial_accumulator_value >= 0.0)) {
    throw Error(fmt::format("Adagrad: expected an initial_accumulator_value >= 0, received {}",
                            options.initial_accumulator_value));
  }
  check_common("Adagrad", options);
}

}  // namespace tkeras::optimizers
