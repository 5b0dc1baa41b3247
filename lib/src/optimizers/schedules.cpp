// Keras's learning-rate schedules, each written once over a step that is a double (eager updates)
// or a 0-d device tensor (captured ones), with their configs and Keras's serialized form.
#include "tkeras/optimizers/schedules.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "optimizers/optimizer_impl.h"
#include "tkeras/core/error.h"

namespace tkeras::optimizers::schedules {

namespace detail {

/// A schedule class: its rate at a step, on the host and on a device, and its config.
class ScheduleImpl {
 public:
  virtual ~ScheduleImpl() = default;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const = 0;
  virtual double at(double step) const = 0;
  virtual torch::Tensor at(const torch::Tensor& step) const = 0;
};

}  // namespace detail

namespace {

// The math the rates are written in, for a double and for a tensor alike.
double floor_of(double x) { return std::floor(x); }
torch::Tensor floor_of(const torch::Tensor& x) { return torch::floor(x); }
double ceil_of(double x) { return std::ceil(x); }
torch::Tensor ceil_of(const torch::Tensor& x) { return torch::ceil(x); }
double cos_of(double x) { return std::cos(x); }
torch::Tensor cos_of(const torch::Tensor& x) { return torch::cos(x); }
double log_of(double x) { return std::log(x); }
torch::Tensor log_of(const torch::Tensor& x) { return torch::log(x); }
double min_of(double x, double bound) { return std::min(x, bound); }
torch::Tensor min_of(const torch::Tensor& x, double bound) { return torch::clamp_max(x, bound); }
double power(double base, double exponent) { return std::pow(base, exponent); }
torch::Tensor power(double base, const torch::Tensor& exponent) { return torch::pow(base, exponent); }
torch::Tensor power(const torch::Tensor& base, double exponent) { return torch::pow(base, exponent); }
double select(bool condition, double yes, double no) { return condition ? yes : no; }
torch::Tensor select(const torch::Tensor& condition, const torch::Tensor& yes, const torch::Tensor& no) {
  return torch::where(condition, yes, no);
}
torch::Tensor select(const torch::Tensor& condition, double yes, const torch::Tensor& no) {
  return torch::where(condition, torch::full_like(no, yes), no);
}
bool both(bool a, bool b) { return a && b; }
torch::Tensor both(const torch::Tensor& a, const torch::Tensor& b) { return torch::logical_and(a, b); }
// 1.0 where `condition` holds, else 0.0.
double indicator(bool condition) { return condition ? 1.0 : 0.0; }
torch::Tensor indicator(const torch::Tensor& condition) { return condition.to(torch::kFloat64); }

void check_steps(std::string_view schedule, std::string_view option, double steps) {
  if (!(steps > 0.0 && std::isfinite(steps))) {
    throw Error(fmt::format("{}: expected {} > 0, received {}", schedule, option, steps));
  }
}

// ExponentialDecay's and InverseTimeDecay's options have the same fields, and so the same config.
template <typename Options>
Config decay_config(const Options& options) {
  return {{"initial_learning_rate", options.initial_learning_rate},
          {"decay_steps", options.decay_steps},
          {"decay_rate", options.decay_rate},
          {"staircase", options.staircase},
          {"name", options.name}};
}

// Their progress: step / decay_steps, floored when `staircase`.
template <typename T>
T decay_progress(const T& step, double decay_steps, bool staircase) {
  const T p = step / decay_steps;
  return staircase ? floor_of(p) : p;
}

// `Derived::rate<T>(step)` for both kinds of step.
template <typename Derived>
class ScheduleWith : public detail::ScheduleImpl {
 public:
  double at(double step) const override { return self().rate(step); }
  torch::Tensor at(const torch::Tensor& step) const override { return self().rate(step); }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

class ExponentialDecayImpl final : public ScheduleWith<ExponentialDecayImpl> {
 public:
  explicit ExponentialDecayImpl(ExponentialDecayOptions options) : options_(std::move(options)) {
    check_steps("ExponentialDecay", "decay_steps", options_.decay_steps);
  }
  std::string class_name() const override { return "ExponentialDecay"; }
  Config get_config() const override { return decay_config(options_); }
  template <typename T>
  T rate(const T& step) const {
    return options_.initial_learning_rate *
           power(options_.decay_rate, decay_progress(step, options_.decay_steps, options_.staircase));
  }

 private:
  ExponentialDecayOptions options_;
};

class PiecewiseConstantDecayImpl final : public ScheduleWith<PiecewiseConstantDecayImpl> {
 public:
  explicit PiecewiseConstantDecayImpl(PiecewiseConstantDecayOptions options) : options_(std::move(options)) {
    if (options_.boundaries.size() + 1 != options_.values.size()) {
      throw Error(fmt::format(
          "PiecewiseConstantDecay: expected one more value than boundaries, received boundaries [{}] ({}) and "
          "values [{}] ({})",
          fmt::join(options_.boundaries, ", "), options_.boundaries.size(), fmt::join(options_.values, ", "),
          options_.values.size()));
    }
  }
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Config get_config() const override {
    return {{"boundaries", options_.boundaries}, {"values", options_.values}, {"name", options_.name}};
  }
  // Keras's sum of indicator times value, one term per interval.
  template <typename T>
  T rate(const T& step) const {
    const std::vector<double>& b = options_.boundaries;
    const std::vector<double>& v = options_.values;
    if (b.empty()) return step * 0.0 + v.front();
    T result = indicator(step <= b.front()) * v.front() + indicator(step > b.back()) * v.back();
    for (size_t i = 0; i + 1 < b.size(); ++i)
      result = result + indicator(both(step > b[i], step <= b[i + 1])) * v[i + 1];
    return result;
  }

 private:
  PiecewiseConstantDecayOptions options_;
};

class PolynomialDecayImpl final : public ScheduleWith<PolynomialDecayImpl> {
 public:
  explicit PolynomialDecayImpl(PolynomialDecayOptions options) : options_(std::move(options)) {
    check_steps("PolynomialDecay", "decay_steps", options_.decay_steps);
  }
  std::string class_name() const override { return "PolynomialDecay"; }
  Config get_config() const override {
    return {{"initial_learning_rate", options_.initial_learning_rate},
            {"decay_steps", options_.decay_steps},
            {"end_learning_rate", options_.end_learning_rate},
            {"power", options_.power},
            {"cycle", options_.cycle},
            {"name", options_.name}};
  }
  template <typename T>
  T rate(const T& step) const {
    const auto& o = options_;
    T p;
    if (o.cycle) {  // the decay stretched to the next multiple of decay_steps (1 at step 0)
      const T multiplier = select(step == 0.0, 1.0, ceil_of(step / o.decay_steps));
      p = step / (multiplier * o.decay_steps);
    } else {
      p = min_of(step, o.decay_steps) / o.decay_steps;
    }
    return (o.initial_learning_rate - o.end_learning_rate) * power(1.0 - p, o.power) + o.end_learning_rate;
  }

 private:
  PolynomialDecayOptions options_;
};

class InverseTimeDecayImpl final : public ScheduleWith<InverseTimeDecayImpl> {
 public:
  explicit InverseTimeDecayImpl(InverseTimeDecayOptions options) : options_(std::move(options)) {
    check_steps("InverseTimeDecay", "decay_steps", options_.decay_steps);
  }
  std::string class_name() const override { return "InverseTimeDecay"; }
  Config get_config() const override { return decay_config(options_); }
  template <typename T>
  T rate(const T& step) const {
    return options_.initial_learning_rate /
           (1.0 + options_.decay_rate * decay_progress(step, options_.decay_steps, options_.staircase));
  }

 private:
  InverseTimeDecayOptions options_;
};

class CosineDecayImpl final : public ScheduleWith<CosineDecayImpl> {
 public:
  explicit CosineDecayImpl(CosineDecayOptions options) : options_(std::move(options)) {
    check_steps("CosineDecay", "decay_steps", options_.decay_steps);
    if (options_.warmup_target && !(options_.warmup_steps >= 0.0)) {
      throw Error(fmt::format("CosineDecay: expected warmup_steps >= 0, received {}", options_.warmup_steps));
    }
  }
  std::string class_name() const override { return "CosineDecay"; }
  Config get_config() const override {
    return {{"initial_learning_rate", options_.initial_learning_rate},
            {"decay_steps", options_.decay_steps},
            {"alpha", options_.alpha},
            {"name", options_.name},
            {"warmup_target", options_.warmup_target ? Config(*options_.warmup_target) : Config(nullptr)},
            {"warmup_steps", options_.warmup_steps}};
  }
  template <typename T>
  T rate(const T& step) const {
    const auto& o = options_;
    if (!o.warmup_target) return decayed(min_of(step, o.decay_steps), o.initial_learning_rate);
    const T capped = min_of(step, o.decay_steps + o.warmup_steps);
    // Keras's cond: the warm-up's line before warmup_steps, the cosine from the target after.
    const T warming =
        (*o.warmup_target - o.initial_learning_rate) * (capped / o.warmup_steps) + o.initial_learning_rate;
    return select(capped < o.warmup_steps, warming, decayed(capped - o.warmup_steps, *o.warmup_target));
  }

 private:
  template <typename T>
  T decayed(const T& step, double from) const {
    const T cosine = 0.5 * (1.0 + cos_of(std::numbers::pi * (step / options_.decay_steps)));
    return from * ((1.0 - options_.alpha) * cosine + options_.alpha);
  }

  CosineDecayOptions options_;
};

class CosineDecayRestartsImpl final : public ScheduleWith<CosineDecayRestartsImpl> {
 public:
  explicit CosineDecayRestartsImpl(CosineDecayRestartsOptions options) : options_(std::move(options)) {
    check_steps("CosineDecayRestarts", "first_decay_steps", options_.first_decay_steps);
  }
  std::string class_name() const override { return "CosineDecayRestarts"; }
  Config get_config() const override {
    return {{"initial_learning_rate", options_.initial_learning_rate},
            {"first_decay_steps", options_.first_decay_steps},
            {"t_mul", options_.t_mul},
            {"m_mul", options_.m_mul},
            {"alpha", options_.alpha},
            {"name", options_.name}};
  }
  template <typename T>
  T rate(const T& step) const {
    const auto& o = options_;
    T fraction = step / o.first_decay_steps;
    T restart;
    if (o.t_mul == 1.0) {  // periods of one length
      restart = floor_of(fraction);
      fraction = fraction - restart;
    } else {  // the periods' lengths a geometric series: which one the step is in, and how far
      restart = floor_of(log_of(1.0 - fraction * (1.0 - o.t_mul)) / std::log(o.t_mul));
      const T before = (1.0 - power(o.t_mul, restart)) / (1.0 - o.t_mul);
      fraction = (fraction - before) / power(o.t_mul, restart);
    }
    const T cosine = 0.5 * power(o.m_mul, restart) * (1.0 + cos_of(std::numbers::pi * fraction));
    return o.initial_learning_rate * ((1.0 - o.alpha) * cosine + o.alpha);
  }

 private:
  CosineDecayRestartsOptions options_;
};

// ---- Reading a config, as each class's from_config. ----

std::vector<double> numbers(const ConfigReader& read, std::string_view schedule, std::string_view key) {
  const Config& list = read.at(key);
  std::vector<double> values;
  if (list.is_array()) {
    for (const Config& value : list) {
      if (!value.is_number()) break;
      values.push_back(value.get<double>());
    }
  }
  if (!list.is_array() || values.size() != list.size()) {
    throw Error(fmt::format("{}: expected \"{}\" as a list of numbers, received {}", schedule, key, list.dump()));
  }
  return values;
}

using FromConfig = std::function<LearningRateSchedule(const ConfigReader&)>;

const std::map<std::string, FromConfig, std::less<>>& schedule_classes() {
  static const std::map<std::string, FromConfig, std::less<>> classes = {
      {"ExponentialDecay",
       [](const ConfigReader& read) {
         return ExponentialDecay({.initial_learning_rate = read.number("initial_learning_rate"),
                                  .decay_steps = read.number("decay_steps"),
                                  .decay_rate = read.number("decay_rate"),
                                  .staircase = read.boolean("staircase", false),
                                  .name = read.string("name", "ExponentialDecay")});
       }},
      {"PiecewiseConstantDecay",
       [](const ConfigReader& read) {
         return PiecewiseConstantDecay({.boundaries = numbers(read, "PiecewiseConstantDecay", "boundaries"),
                                        .values = numbers(read, "PiecewiseConstantDecay", "values"),
                                        .name = read.string("name", "PiecewiseConstant")});
       }},
      {"PolynomialDecay",
       [](const ConfigReader& read) {
         return PolynomialDecay({.initial_learning_rate = read.number("initial_learning_rate"),
                                 .decay_steps = read.number("decay_steps"),
                                 .end_learning_rate = read.number("end_learning_rate", 0.0001),
                                 .power = read.number("power", 1.0),
                                 .cycle = read.boolean("cycle", false),
                                 .name = read.string("name", "PolynomialDecay")});
       }},
      {"InverseTimeDecay",
       [](const ConfigReader& read) {
         return InverseTimeDecay({.initial_learning_rate = read.number("initial_learning_rate"),
                                  .decay_steps = read.number("decay_steps"),
                                  .decay_rate = read.number("decay_rate"),
                                  .staircase = read.boolean("staircase", false),
                                  .name = read.string("name", "InverseTimeDecay")});
       }},
      {"CosineDecay",
       [](const ConfigReader& read) {
         return CosineDecay({.initial_learning_rate = read.number("initial_learning_rate"),
                             .decay_steps = read.number("decay_steps"),
                             .alpha = read.number("alpha", 0.0),
                             .name = read.string("name", "CosineDecay"),
                             .warmup_target = optimizers::detail::optional_number(read, "warmup_target"),
                             .warmup_steps = read.number("warmup_steps", 0.0)});
       }},
      {"CosineDecayRestarts",
       [](const ConfigReader& read) {
         return CosineDecayRestarts({.initial_learning_rate = read.number("initial_learning_rate"),
                                     .first_decay_steps = read.number("first_decay_steps"),
                                     .t_mul = read.number("t_mul", 2.0),
                                     .m_mul = read.number("m_mul", 1.0),
                                     .alpha = read.number("alpha", 0.0),
                                     .name = read.string("name", "SGDRDecay")});
       }},
  };
  return classes;
}

}  // namespace

LearningRateSchedule::LearningRateSchedule(std::shared_ptr<const detail::ScheduleImpl> impl) : impl_(std::move(impl)) {}

double LearningRateSchedule::operator()(int64_t step) const { return impl_->at(static_cast<double>(step)); }
torch::Tensor LearningRateSchedule::operator()(const torch::Tensor& step) const {
  return impl_->at(step.to(torch::kFloat64));
}
std::string LearningRateSchedule::class_name() const { return impl_->class_name(); }
Config LearningRateSchedule::get_config() const { return impl_->get_config(); }

Config LearningRateSchedule::serialize() const {
  return {{"module", "keras.optimizers.schedules"},
          {"class_name", class_name()},
          {"config", get_config()},
          {"registered_name", nullptr}};
}

LearningRateSchedule LearningRateSchedule::deserialize(const Config& serialized) {
  if (!serialized.is_object() || !serialized.contains("class_name") || !serialized["class_name"].is_string() ||
      !serialized.contains("config") || !serialized["config"].is_object()) {
    throw Error(
        fmt::format("learning rate schedule: expected an object with \"class_name\" and \"config\", received {}",
                    serialized.dump().substr(0, 160)));
  }
  const std::string kind = serialized["class_name"].get<std::string>();
  const auto found = schedule_classes().find(kind);
  if (found == schedule_classes().end()) {
    throw Error(fmt::format("learning rate schedule: unknown class \"{}\"; expected one of: {}", kind,
                            fmt::join(class_names(), ", ")));
  }
  return found->second(ConfigReader(serialized["config"]));
}

std::vector<std::string> LearningRateSchedule::class_names() {
  std::vector<std::string> names;
  for (const auto& entry : schedule_classes()) names.push_back(entry.first);
  return names;
}

ExponentialDecay::ExponentialDecay(ExponentialDecayOptions options)
    : LearningRateSchedule(std::make_shared<ExponentialDecayImpl>(std::move(options))) {}
PiecewiseConstantDecay::PiecewiseConstantDecay(PiecewiseConstantDecayOptions options)
    : LearningRateSchedule(std::make_shared<PiecewiseConstantDecayImpl>(std::move(options))) {}
PolynomialDecay::PolynomialDecay(PolynomialDecayOptions options)
    : LearningRateSchedule(std::make_shared<PolynomialDecayImpl>(std::move(options))) {}
InverseTimeDecay::InverseTimeDecay(InverseTimeDecayOptions options)
    : LearningRateSchedule(std::make_shared<InverseTimeDecayImpl>(std::move(options))) {}
CosineDecay::CosineDecay(CosineDecayOptions options)
    : LearningRateSchedule(std::make_shared<CosineDecayImpl>(std::move(options))) {}
CosineDecayRestarts::CosineDecayRestarts(CosineDecayRestartsOptions options)
    : LearningRateSchedule(std::make_shared<CosineDecayRestartsImpl>(std::move(options))) {}

}  // namespace tkeras::optimizers::schedules
