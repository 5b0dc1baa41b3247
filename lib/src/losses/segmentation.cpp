// Dice and Tversky, as Keras 3.15's formulas.
#include "tkeras/losses/segmentation.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "losses/common.h"
#include "tkeras/core/error.h"

namespace tkeras::losses {
namespace {

using detail::kEpsilon;
using registry::OptionsReader;

// Sums over `axes` (each checked against the values' rank, none twice), or over everything.
class Sums {
 public:
  Sums(const std::optional<std::vector<int64_t>>& axes, int64_t rank, std::string_view loss) {
    if (!axes) return;
    std::vector<int64_t> canonical;
    for (const int64_t axis : *axes) {
      const int64_t index = detail::canonical_axis(axis, rank, loss);
      if (std::find(canonical.begin(), canonical.end(), index) != canonical.end()) {
        throw Error(fmt::format("{}: expected each axis once, received axis {} twice", loss, axis));
      }
      canonical.push_back(index);
    }
    axes_ = std::move(canonical);
  }
  torch::Tensor operator()(const torch::Tensor& x) const { return axes_ ? x.sum(*axes_) : x.sum(); }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

Config axis_config(const std::optional<std::vector<int64_t>>& axis) {
  if (!axis) return nullptr;
  return axis->size() == 1 ? Config(axis->front()) : Config(*axis);
}

class DiceFunction : public LossFunction {
 public:
  explicit DiceFunction(std::optional<std::vector<int64_t>> axis) : axis_(std::move(axis)) {}
  std::string class_name() const override { return "Dice"; }
  std::string name() const override { return "dice"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const Sums sum(axis_, y_pred.dim(), name());
    return 1.0 - 2.0 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + kEpsilon);
  }
  Config get_config() const override { return {{"axis", axis_config(axis_)}}; }

 private:
  std::optional<std::vector<int64_t>> axis_;
};

class TverskyFunction : public LossFunction {
 public:
  explicit TverskyFunction(TverskyOptions options) : options_(std::move(options)) {}
  std::string class_name() const override { return "Tversky"; }
  std::string name() const override { return "tversky"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const Sums sum(options_.axis, y_pred.dim(), name());
    const torch::Tensor intersection = sum(y_true * y_pred);
    const torch::Tensor first = sum((1.0 - y_pred) * y_true);
    const torch::Tensor second = sum(y_pred * (1.0 - y_true));
    return 1.0 - intersection / (intersection + first * options_.alpha + second * options_.beta + kEpsilon);
  }
  Config get_config() const override {
    return {{"alpha", options_.alpha}, {"beta", options_.beta}, {"axis", axis_config(options_.axis)}};
  }

 private:
  TverskyOptions options_;
};

}  // namespace

Dice::Dice(DiceOptions options) : Loss(std::make_shared<DiceFunction>(options.axis), options.reduction) {}
Tversky::Tversky(TverskyOptions options) : Loss(std::make_shared<TverskyFunction>(options), options.reduction) {}

namespace {

const registry::Registrar dice_registration(detail::loss_class<Dice>("Dice", "dice", {}, [](OptionsReader& read) {
  return DiceOptions{.axis = read.axes("axis")};
}));
const registry::Registrar tversky_registration(
    detail::loss_class<Tversky>("Tversky", "tversky", {}, [](OptionsReader& read) {
      return TverskyOptions{
          .alpha = read.number("alpha", 0.5), .beta = read.number("beta", 0.5), .axis = read.axes("axis")};
    }));

}  // namespace
}  // namespace tkeras::losses
