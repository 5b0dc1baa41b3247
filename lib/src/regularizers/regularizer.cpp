// L1, L2, L1L2 and OrthogonalRegularizer, computed as Keras's, and the naming, saving and reading
// of regularizers.
#include "tkeras/regularizers/regularizer.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "core/class_registry.h"
#include "core/options_reader.h"
#include "tkeras/core/error.h"

namespace tkeras::regularizers {
namespace {

// Keras's validate_float_arg: a finite number >= 0.
double checked_factor(double value, const char* name) {
  if (!std::isfinite(value) || value < 0.0) {
    throw Error(fmt::format("expected {} as a finite number >= 0, received {}", name, value));
  }
  return value;
}

// Keras keeps L1's and OrthogonalRegularizer's factors as float32 tensors, so their configs give
// the float32 value.
double as_float32(double value) { return static_cast<double>(static_cast<float>(value)); }

}  // namespace

L1L2::L1L2(double l1, double l2) : l1_(checked_factor(l1, "l1")), l2_(checked_factor(l2, "l2")) {}

torch::Tensor L1L2::operator()(const torch::Tensor& x) const {
  torch::Tensor penalty = torch::zeros({}, x.options());
  if (l1_ != 0.0) penalty = penalty + x.abs().sum() * l1_;
  if (l2_ != 0.0) penalty = penalty + x.square().sum() * l2_;
  return penalty;
}

L1::L1(double l1) : l1_(checked_factor(l1, "l1")) {}

torch::Tensor L1::operator()(const torch::Tensor& x) const { return x.abs().sum() * l1_; }

Config L1::get_config() const { return {{"l1", as_float32(l1_)}}; }

L2::L2(double l2) : l2_(checked_factor(l2, "l2")) {}

torch::Tensor L2::operator()(const torch::Tensor& x) const { return x.square().sum() * l2_; }

OrthogonalRegularizer::OrthogonalRegularizer(OrthogonalRegularizerOptions options) : options_(std::move(options)) {
  checked_factor(options_.factor, "factor");
  if (options_.mode != "rows" && options_.mode != "columns") {
    throw Error(
        fmt::format("OrthogonalRegularizer: expected mode \"rows\" or \"columns\", received \"{}\"", options_.mode));
  }
}

// As Keras's: the vectors scaled by rsqrt of their squared norms (at most 1 / 1e-7), their
// products without the diagonal, and the mean absolute product over the pairs.
torch::Tensor OrthogonalRegularizer::operator()(const torch::Tensor& x) const {
  if (x.dim() != 2) {
    throw Error(fmt::format("OrthogonalRegularizer: expected a weight of rank 2, received shape [{}]",
                            fmt::join(x.sizes(), ", ")));
  }
  const bool rows = options_.mode == "rows";
  const int64_t axis = rows ? 1 : 0;
  const torch::Tensor inverse_norm = torch::rsqrt(x.square().sum(axis, /*keepdim=*/true)).clamp_max(1.0 / 1e-7);
  const torch::Tensor unit = x * inverse_norm;
  const torch::Tensor product = rows ? torch::matmul(unit, unit.t()) : torch::matmul(unit.t(), unit);
  const int64_t size = x.size(rows ? 0 : 1);
  const torch::Tensor off_diagonal = product * (1.0 - torch::eye(size, x.options()));
  const double pairs = static_cast<double>(size) * (static_cast<double>(size) - 1.0) / 2.0;
  return torch::scalar_tensor(options_.factor, x.options()) * 0.5 * off_diagonal.abs().sum() / pairs;
}

Config OrthogonalRegularizer::get_config() const {
  return {{"factor", as_float32(options_.factor)}, {"mode", options_.mode}};
}

namespace {

using Reader = tkeras::detail::OptionsReader;

struct RegularizerClass {
  std::string class_name;
  std::string name;
  std::vector<std::string> aliases;
  std::function<std::shared_ptr<const Regularizer>(Reader&)> from_config;
};

// The classes, as Keras's module dict of regularizers (keras/src/regularizers/__init__.py).
const tkeras::detail::ClassRegistry<RegularizerClass>& regularizer_classes() {
  static const tkeras::detail::ClassRegistry<RegularizerClass> all = [] {
    tkeras::detail::ClassRegistry<RegularizerClass> made("regularizer");
    made.add({"L1", "l1", {}, [](Reader& read) { return std::make_shared<L1>(read.number("l1", 0.01)); }});
    made.add({"L2", "l2", {}, [](Reader& read) { return std::make_shared<L2>(read.number("l2", 0.01)); }});
    made.add({"L1L2", "l1l2", {}, [](Reader& read) {
                return std::make_shared<L1L2>(read.number("l1", 0.0), read.number("l2", 0.0));
              }});
    made.add({"OrthogonalRegularizer", "orthogonal_regularizer", {}, [](Reader& read) {
                return std::make_shared<OrthogonalRegularizer>(OrthogonalRegularizerOptions{
                    .factor = read.number("factor", 0.01), .mode = read.string("mode", "rows")});
              }});
    return made;
  }();
  return all;
}

}  // namespace

std::shared_ptr<const Regularizer> get(const Identifier& identifier) {
  if (identifier.object() != nullptr) return identifier.object();
  if (identifier.is_none()) return nullptr;
  return deserialize(identifier.name());
}

std::shared_ptr<const Regularizer> deserialize(const Config& config) {
  if (config.is_null()) return nullptr;
  return regularizer_classes().make(config);
}

Config serialize(const Regularizer& regularizer) {
  return tkeras::detail::keras_object("keras.regularizers", regularizer.class_name(), regularizer.get_config());
}

Config serialize(const Identifier& identifier) {
  const std::shared_ptr<const Regularizer> regularizer = get(identifier);
  return regularizer ? serialize(*regularizer) : Config(nullptr);
}

std::vector<std::string> names() { return regularizer_classes().names(); }

}  // namespace tkeras::regularizers
