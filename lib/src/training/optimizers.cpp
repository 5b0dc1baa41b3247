// Optimizers: Keras's names, defaults and option checks (the update rules are in updater.cpp).
#include "tkeras/training/optimizers.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras::optimizers {
namespace {

std::variant<AdamOptions, SGDOptions, RMSpropOptions> options_for_name(std::string_view name) {
  if (name == "adam") return AdamOptions{};
  if (name == "sgd") return SGDOptions{};
  if (name == "rmsprop") return RMSpropOptions{};
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

}  // namespace

Optimizer::Optimizer(const char* name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(const std::string& name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(std::string_view name) : options_(options_for_name(name)) {}
Optimizer::Optimizer(std::variant<AdamOptions, SGDOptions, RMSpropOptions> options) : options_(options) {}

const std::vector<std::string>& Optimizer::names() {
  static const std::vector<std::string> all = {"adam", "rmsprop", "sgd"};
  return all;
}

std::string Optimizer::name() const {
  static const char* const kNames[] = {"adam", "sgd", "rmsprop"};
  return kNames[options_.index()];
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
}

SGD::SGD(SGDOptions options) : Optimizer(options) {
  check_learning_rate("SGD", options.learning_rate);
  if (!(options.momentum >= 0.0)) {
    throw Error(fmt::format("SGD: expected a momentum >= 0, received {}", options.momentum));
  }
  if (options.nesterov && options.momentum == 0.0) {
    throw Error("SGD: nesterov needs a positive momentum, received momentum 0");
  }
}

RMSprop::RMSprop(RMSpropOptions options) : Optimizer(options) {
  check_learning_rate("RMSprop", options.learning_rate);
  check_unit_interval("RMSprop", "rho", options.rho);
}

}  // namespace tkeras::optimizers
