// Optimizer: a value holding one optimizer class's implementation; the scalars and primitives the
// update rules are written in; the option checks every class shares.
#include "tkeras/optimizers/optimizer.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "optimizers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers {

Optimizer::Optimizer(const char* name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(const std::string& name) : Optimizer(std::string_view(name)) {}
Optimizer::Optimizer(std::string_view name) {
  const registry::OptimizerClass* found = registry::find(name);
  if (found == nullptr) {
    throw Error(fmt::format("compile: unknown optimizer \"{}\"; expected one of: {}", name, fmt::join(names(), ", ")));
  }
  *this = found->from_config(Config::object());
}
Optimizer::Optimizer(std::unique_ptr<detail::OptimizerImpl> impl) : impl_(std::move(impl)) {}

Optimizer::Optimizer(const Optimizer& other) : impl_(other.impl_->clone()) {}
Optimizer::Optimizer(Optimizer&& other) noexcept = default;
Optimizer& Optimizer::operator=(const Optimizer& other) {
  if (this != &other) impl_ = other.impl_->clone();
  return *this;
}
Optimizer& Optimizer::operator=(Optimizer&& other) noexcept = default;
Optimizer::~Optimizer() = default;

std::vector<std::string> Optimizer::names() { return registry::names(); }
std::string Optimizer::name() const { return impl_->name(); }
std::string Optimizer::class_name() const { return impl_->class_name(); }
double Optimizer::learning_rate() const { return impl_->learning_rate().value(); }
double Optimizer::learning_rate_at(int64_t iterations) const { return impl_->learning_rate().at(iterations); }
const std::optional<schedules::LearningRateSchedule>& Optimizer::learning_rate_schedule() const {
  return impl_->learning_rate().schedule();
}
void Optimizer::set_learning_rate(double learning_rate) {
  if (const auto& schedule = learning_rate_schedule()) {
    throw Error(fmt::format(
        "{}: this optimizer was created with a LearningRateSchedule ({}) as its learning_rate, hence its learning "
        "rate is not settable (received {}); create it with a number as learning_rate to set it, as in Keras",
        class_name(), schedule->class_name(), learning_rate));
  }
  impl_->set_learning_rate(learning_rate);
}

void to_json(Config& json, const LearningRate& learning_rate) {
  json = learning_rate.schedule() ? learning_rate.schedule()->serialize() : Config(learning_rate.value());
}
std::optional<double> Optimizer::weight_decay() const { return impl_->weight_decay(); }
std::optional<double> Optimizer::clipnorm() const { return impl_->clipnorm(); }
std::optional<double> Optimizer::clipvalue() const { return impl_->clipvalue(); }
std::optional<double> Optimizer::global_clipnorm() const { return impl_->global_clipnorm(); }
Config Optimizer::get_config() const { return impl_->get_config(); }

std::vector<std::vector<std::string>> Optimizer::slot_groups() const {
  std::vector<std::vector<std::string>> groups;
  for (const std::vector<detail::Slot>& group : impl_->slots()) {
    std::vector<std::string>& names = groups.emplace_back();
    for (const detail::Slot& slot : group) names.push_back(slot.name);
  }
  return groups;
}

std::vector<std::string> Optimizer::scalar_variables() const {
  std::vector<std::string> names;
  for (const detail::Slot& variable : impl_->variables()) names.push_back(variable.name);
  return names;
}

namespace detail {
namespace {

// Applies `op` to the two values as doubles when both are, else as tensors and doubles (LibTorch's
// operators take either on each side).
template <typename Op>
Scalar combine(const Scalar& a, const Scalar& b, Op op) {
  if (!a.on_device() && !b.on_device()) return Scalar(op(a.value(), b.value()));
  if (!a.on_device()) return Scalar(op(a.value(), b.tensor()));
  if (!b.on_device()) return Scalar(op(a.tensor(), b.value()));
  return Scalar(op(a.tensor(), b.tensor()));
}

}  // namespace

Scalar operator+(const Scalar& a, const Scalar& b) {
  return combine(a, b, [](const auto& x, const auto& y) { return x + y; });
}
Scalar operator-(const Scalar& a, const Scalar& b) {
  return combine(a, b, [](const auto& x, const auto& y) { return x - y; });
}
Scalar operator*(const Scalar& a, const Scalar& b) {
  return combine(a, b, [](const auto& x, const auto& y) { return x * y; });
}
Scalar operator/(const Scalar& a, const Scalar& b) {
  return combine(a, b, [](const auto& x, const auto& y) { return x / y; });
}
Scalar sqrt(const Scalar& a) { return a.on_device() ? Scalar(torch::sqrt(a.tensor())) : Scalar(std::sqrt(a.value())); }
Scalar pow(const Scalar& base, const Scalar& exponent) {
  return combine(base, exponent, [](const auto& x, const auto& y) {
    if constexpr (std::is_same_v<decltype(x), const double&> && std::is_same_v<decltype(y), const double&>) {
      return std::pow(x, y);
    } else {
      return torch::pow(x, y);
    }
  });
}

UpdateStep::UpdateStep(torch::Tensor& weights, StepParts parts, const std::vector<Slot>& slots,
                       std::vector<torch::Tensor>& values, const std::vector<Slot>& variables,
                       std::vector<Scalar>& variable_values, torch::Tensor& scratch, torch::Tensor& step_tensor,
                       Scalar learning_rate, Scalar iterations)
    : weights_(weights),
      parts_(parts),
      slots_(slots),
      values_(values),
      variables_(variables),
      variable_values_(variable_values),
      scratch_(scratch),
      step_tensor_(step_tensor),
      learning_rate_(std::move(learning_rate)),
      iterations_(std::move(iterations)) {}

torch::Tensor& UpdateStep::gradients() {
  if (!parts_.gathered) {
    torch::cat_out(parts_.flat_gradients, parts_.gradients);
    parts_.gathered = true;
  }
  return parts_.flat_gradients;
}

torch::Tensor& UpdateStep::slot(std::string_view name) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].name == name) return values_[i];
  }
  throw Error(fmt::format("optimizer: no slot \"{}\" among the optimizer's own", name));
}

const std::vector<torch::Tensor>& UpdateStep::slot_list(std::string_view name) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].name == name) return parts_.slots[i];
  }
  throw Error(fmt::format("optimizer: no slot \"{}\" among the optimizer's own", name));
}

size_t UpdateStep::variable_index(std::string_view name) const {
  for (size_t i = 0; i < variables_.size(); ++i) {
    if (variables_[i].name == name) return i;
  }
  throw Error(fmt::format("optimizer: no variable \"{}\" among the optimizer's own", name));
}

const Scalar& UpdateStep::variable(std::string_view name) const { return variable_values_[variable_index(name)]; }

void UpdateStep::set_variable(std::string_view name, const Scalar& value) {
  Scalar& kept = variable_values_[variable_index(name)];
  if (kept.on_device()) {
    if (value.on_device()) {
      kept.tensor().copy_(value.tensor());
    } else {
      kept.tensor().fill_(value.value());
    }
  } else {
    kept = weights_.scalar_type() == torch::kFloat ? static_cast<double>(static_cast<float>(value.value()))
                                                   : value.value();
  }
}

const torch::Tensor& UpdateStep::iterations_tensor() {
  if (!step_tensor_.defined() || step_tensor_.device() != weights_.device() ||
      step_tensor_.scalar_type() != weights_.scalar_type()) {
    step_tensor_ = torch::zeros({}, weights_.options());
  }
  step_tensor_.fill_(iterations_.value());
  return step_tensor_;
}

// The eager forms are LibTorch's in-place ops with the scalar as their argument; the capturable
// ones compute into the scratch buffer and scale it by the device scalar.
void UpdateStep::scale(const torch::Tensor& x, const Scalar& s) {
  if (s.on_device()) {
    x.mul_(s.tensor());
  } else {
    x.mul_(s.value());
  }
}

void UpdateStep::sub_scaled(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a) {
  if (s.on_device()) {
    torch::mul_out(scratch_, a, s.tensor());
    x.sub_(scratch_);
  } else {
    x.add_(a, -s.value());
  }
}

void UpdateStep::add_ratio(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const torch::Tensor& b) {
  if (s.on_device()) {
    torch::div_out(scratch_, a, b);
    x.add_(scratch_.mul_(s.tensor()));
  } else {
    x.addcdiv_(a, b, s.value());
  }
}

void UpdateStep::sub_ratio(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const torch::Tensor& b) {
  if (s.on_device()) {
    torch::div_out(scratch_, a, b);
    x.sub_(scratch_.mul_(s.tensor()));
  } else {
    x.addcdiv_(a, b, -s.value());
  }
}

void UpdateStep::sub_ratios(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const Scalar& t,
                            const torch::Tensor& c, const torch::Tensor& b) {
  if (s.on_device()) {
    // b may be the scratch buffer, so the sum takes a buffer of its own (capturable steps only).
    x.sub_(torch::mul(a, s.tensor()).add_(c * t.tensor()).div_(b));
  } else {
    x.addcdiv_(a, b, -s.value());
    x.addcdiv_(c, b, -t.value());
  }
}

void check_learning_rate(std::string_view optimizer, const LearningRate& learning_rate) {
  if (learning_rate.schedule()) return;
  const double value = learning_rate.value();
  if (!(value >= 0.0 && std::isfinite(value))) {
    throw Error(fmt::format("{}: expected a learning_rate >= 0, received {}", optimizer, value));
  }
}

LearningRate read_learning_rate(const ConfigReader& read, const LearningRate& fallback) {
  if (!read.has("learning_rate")) return fallback;
  const Config& value = read.at("learning_rate");
  if (value.is_object()) return schedules::LearningRateSchedule::deserialize(value);
  return read.number("learning_rate");
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

std::optional<double> optional_number(const ConfigReader& read, std::string_view key) {
  return read.has(key) ? std::optional<double>(read.number(key)) : std::nullopt;
}

}  // namespace detail
}  // namespace tkeras::optimizers
