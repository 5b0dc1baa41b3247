// MaxNorm, NonNeg, UnitNorm and MinMaxNorm, computed as Keras's, and the naming, saving and reading
// of constraints.
#include "tkeras/constraints/constraint.h"

#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "core/class_registry.h"
#include "core/options_reader.h"
#include "tkeras/core/error.h"

namespace tkeras::constraints {
namespace {

// Keras's backend.epsilon().
constexpr double kEpsilon = 1e-7;

// The norms of the vectors along `axis`, kept as axes of 1, as Keras's.
torch::Tensor norms(const torch::Tensor& w, const std::vector<int64_t>& axis) {
  for (const int64_t a : axis) {
    if (a < -w.dim() || a >= w.dim()) {
      throw Error(fmt::format("expected a constraint's axis within the weight's {} axes, received {}", w.dim(), a));
    }
  }
  return torch::sqrt(w.square().sum(axis, /*keepdim=*/true));
}

// An axis option as Keras writes it: the integer it was, or the list.
Config axis_config(const std::vector<int64_t>& axis) { return axis.size() == 1 ? Config(axis.front()) : Config(axis); }

}  // namespace

torch::Tensor MaxNorm::operator()(const torch::Tensor& w) const {
  const torch::Tensor n = norms(w, options_.axis);
  const torch::Tensor desired = torch::clip(n, 0.0, options_.max_value);
  return w * (desired / (n + kEpsilon));
}

Config MaxNorm::get_config() const { return {{"max_value", options_.max_value}, {"axis", axis_config(options_.axis)}}; }

torch::Tensor NonNeg::operator()(const torch::Tensor& w) const { return torch::clamp_min(w, 0.0); }

torch::Tensor UnitNorm::operator()(const torch::Tensor& w) const { return w / (norms(w, options_.axis) + kEpsilon); }

Config UnitNorm::get_config() const { return {{"axis", axis_config(options_.axis)}}; }

torch::Tensor MinMaxNorm::operator()(const torch::Tensor& w) const {
  const torch::Tensor n = norms(w, options_.axis);
  const torch::Tensor desired =
      torch::clip(n, options_.min_value, options_.max_value) * options_.rate + n * (1.0 - options_.rate);
  return w * (desired / (n + kEpsilon));
}

Config MinMaxNorm::get_config() const {
  return {{"min_value", options_.min_value},
          {"max_value", options_.max_value},
          {"rate", options_.rate},
          {"axis", axis_config(options_.axis)}};
}

namespace {

using Reader = tkeras::detail::OptionsReader;

struct ConstraintClass {
  std::string class_name;
  std::string name;
  std::vector<std::string> aliases;
  std::function<std::shared_ptr<const Constraint>(Reader&)> from_config;
};

std::vector<int64_t> read_axis(Reader& read) { return read.axes("axis").value_or(std::vector<int64_t>{0}); }

// The classes, as Keras's module dict of constraints (keras/src/constraints/__init__.py).
const tkeras::detail::ClassRegistry<ConstraintClass>& constraint_classes() {
  static const tkeras::detail::ClassRegistry<ConstraintClass> all = [] {
    tkeras::detail::ClassRegistry<ConstraintClass> made("constraint");
    made.add({"MaxNorm", "max_norm", {}, [](Reader& read) {
                return std::make_shared<MaxNorm>(
                    MaxNormOptions{.max_value = read.number("max_value", 2.0), .axis = read_axis(read)});
              }});
    made.add({"NonNeg", "non_neg", {}, [](Reader&) { return std::make_shared<NonNeg>(); }});
    made.add({"UnitNorm", "unit_norm", {}, [](Reader& read) {
                return std::make_shared<UnitNorm>(UnitNormOptions{.axis = read_axis(read)});
              }});
    made.add({"MinMaxNorm", "min_max_norm", {}, [](Reader& read) {
                return std::make_shared<MinMaxNorm>(MinMaxNormOptions{.min_value = read.number("min_value", 0.0),
                                                                      .max_value = read.number("max_value", 1.0),
                                                                      .rate = read.number("rate", 1.0),
                                                                      .axis = read_axis(read)});
              }});
    return made;
  }();
  return all;
}

}  // namespace

std::shared_ptr<const Constraint> get(const Identifier& identifier) {
  if (identifier.object() != nullptr) return identifier.object();
  if (identifier.is_none()) return nullptr;
  return deserialize(identifier.name());
}

std::shared_ptr<const Constraint> deserialize(const Config& config) {
  if (config.is_null()) return nullptr;
  return constraint_classes().make(config);
}

Config serialize(const Constraint& constraint) {
  return tkeras::detail::keras_object("keras.constraints", constraint.class_name(), constraint.get_config());
}

Config serialize(const Identifier& identifier) {
  const std::shared_ptr<const Constraint> constraint = get(identifier);
  return constraint ? serialize(*constraint) : Config(nullptr);
}

std::vector<std::string> names() { return constraint_classes().names(); }

}  // namespace tkeras::constraints
