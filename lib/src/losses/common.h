// What the loss classes share: Keras's epsilon, axes, label checks and the registration of a
// class from its options struct (internal).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "losses/registry.h"
#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"
#include "tkeras/losses/loss.h"

namespace tkeras::losses::detail {

using registry::LossClass;
using registry::OptionsReader;

/// Keras's backend epsilon, which clips probabilities before logs.
inline constexpr double kEpsilon = 1e-7;

/// `axis` (negative from the end) as an index into `rank` axes; throws `tkeras::Error` naming
/// `loss` when it is out of range.
int64_t canonical_axis(int64_t axis, int64_t rank, std::string_view loss);

/// Integer class labels `y` for outputs `output_shape` (without the batch axis; classes on `axis`
/// of the batched outputs, the last by default) as int64 of the outputs' shape without the class
/// axis (a trailing axis of 1 dropped). Labels outside 0..classes-1 fail, except `ignore_class`.
/// Throws `tkeras::Error` naming `loss` and `layer`.
torch::Tensor prepare_labels(const torch::Tensor& y, const Shape& output_shape, std::string_view layer,
                             std::string_view loss, std::optional<int64_t> ignore_class = std::nullopt,
                             int64_t axis = -1);

/// Throws `tkeras::Error` unless `value` is finite and in [low, high].
void check_range(std::string_view loss, std::string_view option, double value, double low, double high);

/// The registration of loss class `L`, made from its options by `read` (which reads every option
/// but the reduction): its Keras class name, the name compile takes, Keras's other names, and
/// whether `keras.losses.get` knows the name.
template <typename L, typename Read>
LossClass loss_class(std::string class_name, std::string name, std::vector<std::string> aliases, Read read,
                     bool keras_name = true) {
  return {.class_name = class_name,
          .name = std::move(name),
          .aliases = std::move(aliases),
          .keras_name = keras_name,
          .from_config = [class_name, read](const Config& config) -> Loss {
            OptionsReader reader(config, class_name);
            auto options = read(reader);
            options.reduction = registry::reduction(reader);
            reader.done();
            return L(options);
          }};
}

// A loss with no options: a class name, a name and a formula over (y_true, y_pred).
/// A loss whose values are a formula over (y_true, y_pred), with no options but the reduction.
class FormulaFunction : public LossFunction {
 public:
  using Formula = torch::Tensor (*)(const torch::Tensor&, const torch::Tensor&);
  FormulaFunction(const char* class_name, const char* name, Formula formula)
      : class_name_(class_name), name_(name), formula_(formula) {}
  std::string class_name() const override { return class_name_; }
  std::string name() const override { return name_; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return formula_(y_true, y_pred);
  }

 private:
  const char* class_name_;
  const char* name_;
  Formula formula_;
};

/// The registration of `L`, a loss without options beyond the reduction.
template <typename L>
LossClass plain(const char* class_name, const char* name, std::vector<std::string> aliases) {
  return loss_class<L>(class_name, name, std::move(aliases), [](OptionsReader&) { return LossOptions{}; });
}

}  // namespace tkeras::losses::detail
