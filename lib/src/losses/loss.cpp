// Loss and LossFunction: Keras's reductions, sample weights and masks around each class's values.
#include "tkeras/losses/loss.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "core/class_registry.h"
#include "losses/registry.h"
#include "losses/serialization.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/activations.h"

namespace tkeras::losses {
namespace {

// `weight` ([N], or the mask's shape) viewed to multiply `values` along their leading axes.
torch::Tensor aligned(const torch::Tensor& weight, const torch::Tensor& values) {
  if (values.dim() <= weight.dim()) return weight;
  std::vector<int64_t> shape = weight.sizes().vec();
  shape.resize(static_cast<size_t>(values.dim()), 1);
  return weight.view(shape);
}

// Keras's divide_no_nan: 0 where the divisor is 0.
torch::Tensor divide_no_nan(const torch::Tensor& numerator, const torch::Tensor& divisor) {
  return torch::where(divisor == 0, torch::zeros_like(numerator), numerator / divisor);
}

bool mean_like(std::string_view reduction) { return reduction == kSumOverBatchSize || reduction == "mean"; }

// Keras's reduce_weighted_values: the mask folded into the sample weights, the weights applied,
// then the reduction.
torch::Tensor reduce_values(torch::Tensor values, torch::Tensor sample_weight, const torch::Tensor& mask,
                            std::string_view reduction) {
  if (mask.defined()) {
    torch::Tensor float_mask = mask.to(values.scalar_type());
    if (mean_like(reduction)) {
      // Valid entries weigh total/valid, so that the mean is over the valid ones.
      const auto total = static_cast<double>(mask.numel());
      // The mask is 0 or 1: a sum below 1 is an all-zero mask, whose weights stay 0 (divide_no_nan).
      float_mask = float_mask * (total / float_mask.sum().clamp_min(1.0));
    }
    sample_weight = sample_weight.defined() ? aligned(sample_weight, float_mask) * float_mask : float_mask;
  }
  if (sample_weight.defined()) values = values * aligned(sample_weight.to(values.scalar_type()), values);
  if (reduction == "none" || values.dim() == 0 || (values.dim() == 1 && values.size(0) == 0)) return values;
  torch::Tensor loss = values.sum();
  if (reduction == "sum") return loss;
  if (reduction == "mean_with_sample_weight" && sample_weight.defined()) {
    return divide_no_nan(loss, sample_weight.sum().to(loss.scalar_type()));
  }
  return values.numel() == 0 ? loss : loss / static_cast<double>(values.numel());
}

// Keras's class of a loss written as a function, what compile makes of one.
constexpr const char* kFunctionLossClass = "LossFunctionWrapper";

// A loss written as a function: Keras's LossFunctionWrapper, what compile makes of a function.
class FunctionLoss : public LossFunction {
 public:
  FunctionLoss(LossCallable function, std::string name) : function_(std::move(function)), name_(std::move(name)) {}
  std::string class_name() const override { return kFunctionLossClass; }
  std::string name() const override { return name_; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return function_(y_true, y_pred);
  }
  // As Keras's squeeze_or_expand_to_same_rank: targets of one axis less than the outputs (class
  // labels against probabilities) get a last axis of 1.
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    if (y.dim() > 0 && y.dim() == static_cast<int64_t>(output_shape.size())) {
      return y.unsqueeze(-1).to(torch::kFloat32);
    }
    return LossFunction::prepare_targets(y, output_shape, layer);
  }

 private:
  LossCallable function_;
  std::string name_;
};

}  // namespace

torch::Tensor LossFunction::call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                          std::string_view activation) const {
  return call(y_true, activations::get(activation)(pre_activation));
}

torch::Tensor LossFunction::mean_on_layer(const torch::Tensor& /*y_true*/, const torch::Tensor& /*pre_activation*/,
                                          std::string_view /*activation*/) const {
  return {};
}

torch::Tensor LossFunction::valid(const torch::Tensor& /*y_true*/, const torch::Tensor& /*values*/) const { return {}; }

Config LossFunction::get_config() const { return Config::object(); }

torch::Tensor LossFunction::prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                            std::string_view /*layer*/) const {
  Shape expected = {y.dim() > 0 ? y.size(0) : 0};
  expected.insert(expected.end(), output_shape.begin(), output_shape.end());
  torch::Tensor targets = y;
  // A [N] target against one output unit is [N, 1], as Keras's squeeze_or_expand_to_same_rank.
  if (targets.dim() == 1 && output_shape == Shape{1}) targets = targets.unsqueeze(1);
  if (targets.sizes().vec() != expected) {
    throw Error(fmt::format("{}: expected targets of shape {} matching outputs {}, received y of shape {}", name(),
                            format_shape(expected), format_batch_shape(output_shape), format_shape(y.sizes().vec())));
  }
  return targets.to(torch::kFloat32);
}

Loss::Loss(const char* name) : Loss(std::string_view(name)) {}
Loss::Loss(const std::string& name) : Loss(std::string_view(name)) {}
Loss::Loss(std::string_view name) {
  const registry::LossClass* found = registry::find(name);
  if (found == nullptr) {
    throw Error(fmt::format("compile: unknown loss \"{}\"; expected one of: {}", name, fmt::join(names(), ", ")));
  }
  *this = found->from_config(Config::object());
}

Loss::Loss(std::shared_ptr<const LossFunction> function, std::string_view reduction)
    : function_(std::move(function)), reduction_(reduction) {
  if (function_ == nullptr) throw Error("Loss: expected a loss function, received null");
  registry::check_reduction(reduction_);
}

Loss::Loss(LossCallable function, std::string name, std::string_view reduction) : reduction_(reduction) {
  if (!function) throw Error(fmt::format("Loss: expected a function for the loss \"{}\", received an empty one", name));
  if (name.empty()) throw Error("Loss: expected a name for a function loss (files keep it by name), received \"\"");
  registry::check_reduction(reduction_);
  function_ = std::make_shared<FunctionLoss>(std::move(function), std::move(name));
}

bool Loss::is_function() const { return dynamic_cast<const FunctionLoss*>(function_.get()) != nullptr; }

namespace detail {

const LossFactory* custom(const LossFactories& custom_objects, const Config& key) {
  if (!key.is_string()) return nullptr;
  const auto found = custom_objects.find(key.get<std::string>());
  return found == custom_objects.end() ? nullptr : &found->second;
}

Config function_loss_object(const Loss& loss) {
  using tkeras::detail::function_object;
  if (loss.reduction() == kSumOverBatchSize) return function_object(loss.name());
  return tkeras::detail::keras_object(
      "keras.losses", kFunctionLossClass,
      {{"name", loss.name()}, {"reduction", loss.reduction()}, {"fn", function_object(loss.name())}});
}

bool is_function_loss_object(const Config& keras) {
  if (!keras.is_object() || keras.value("class_name", "") != kFunctionLossClass) return false;
  const Config& config = keras.value("config", Config());
  return config.is_object() && config.contains("fn") && config["fn"].is_object() &&
         config["fn"].value("class_name", "") == "function";
}

std::optional<Loss> function_loss_from_keras(const Config& keras, const LossFactories& custom_objects) {
  const Config& config = keras["config"];
  const Config& name = config["fn"]["config"];
  const LossFactory* factory = custom(custom_objects, name);
  if (factory == nullptr) return std::nullopt;
  return (*factory)({{"name", name}, {"reduction", config.value("reduction", std::string(kSumOverBatchSize))}});
}

}  // namespace detail

std::vector<std::string> Loss::names() { return registry::names(); }

Loss LossFactory::operator()(const Config& config) const {
  if (function_) {
    const auto name = config.find("name");
    if (name == config.end() || !name->is_string()) {
      throw Error(fmt::format("expected a function loss's \"name\" as a string, received {}", config.dump()));
    }
    return {function_, name->get<std::string>(), config.value("reduction", std::string(kSumOverBatchSize))};
  }
  return make_(config);
}

Loss LossFactory::with_reduction(std::shared_ptr<const LossFunction> function, const Config& config) {
  const auto reduction = config.find("reduction");
  if (reduction == config.end()) return Loss(std::move(function));
  if (!reduction->is_string()) {
    throw Error(fmt::format("expected the loss's \"reduction\" as a string, received {}", reduction->dump()));
  }
  return Loss(std::move(function), reduction->get<std::string>());
}

torch::Tensor Loss::operator()(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                               const torch::Tensor& sample_weight) const {
  return from_layer_output(y_true, y_pred, "linear", sample_weight);
}

torch::Tensor Loss::from_layer_output(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                      std::string_view activation, const torch::Tensor& sample_weight) const {
  if (!sample_weight.defined() && mean_like(reduction_)) {
    torch::Tensor mean = function_->mean_on_layer(y_true, pre_activation, activation);
    if (mean.defined()) return mean;
  }
  const torch::Tensor values = function_->call_on_layer(y_true, pre_activation, activation);
  return reduce_values(values, sample_weight, function_->valid(y_true, values), reduction_);
}

Config Loss::get_config() const {
  Config config = {{"name", name()}, {"reduction", reduction_}};
  const Config options = function_->get_config();  // named: items() only refers to it
  for (const auto& [key, value] : options.items()) config[key] = value;
  return config;
}

Loss Loss::from_config(const Config& config) {
  if (!config.is_object()) throw Error(fmt::format("expected a loss as an object, received {}", config.dump()));
  const auto name = config.find("name");
  if (name == config.end() || !name->is_string()) {
    throw Error(fmt::format("expected the loss's \"name\" as a string, received {}",
                            name == config.end() ? "none" : name->dump()));
  }
  const registry::LossClass* found = registry::find(name->get<std::string>());
  if (found == nullptr) {
    throw Error(
        fmt::format("unknown loss \"{}\"; expected one of: {}", name->get<std::string>(), fmt::join(names(), ", ")));
  }
  Config options = config;
  options.erase("name");
  // Earlier tkeras files wrote `"from_logits": false` for every loss.
  const auto from_logits = options.find("from_logits");
  if (from_logits != options.end() && *from_logits == false &&
      !found->from_config(Config::object()).function().get_config().contains("from_logits")) {
    options.erase("from_logits");
  }
  return found->from_config(options);
}

}  // namespace tkeras::losses
