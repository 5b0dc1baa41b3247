// The circle loss, as Keras's formula over the batch's pairs.
#include "tkeras/losses/similarity.h"

#include <limits>

#include <fmt/format.h>
#include <torch/torch.h>

#include "losses/common.h"
#include "tkeras/core/error.h"

namespace tkeras::losses {
namespace {

using registry::OptionsReader;

class CircleFunction : public LossFunction {
 public:
  explicit CircleFunction(const CircleOptions& options) : options_(options) {}
  std::string class_name() const override { return "Circle"; }
  std::string name() const override { return "circle"; }
  bool takes_labels() const override { return true; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    const double margin = options_.margin;
    const double gamma = options_.gamma;
    const torch::Tensor distances = (1.0 - y_pred.matmul(y_pred.t())).clamp_min(0.0);
    const torch::Tensor labels = y_true.reshape({-1, 1});
    torch::Tensor positive = labels.eq(labels.t());
    const torch::Tensor negative = positive.logical_not();
    if (options_.remove_diagonal) {
      positive = positive.logical_and(torch::eye(labels.size(0), positive.options()).logical_not());
    }
    const torch::Tensor positive_weights = ((margin + distances) * positive).clamp_min(0.0);
    const torch::Tensor negative_weights = ((1.0 + margin - distances) * negative).clamp_min(0.0);
    const torch::Tensor positive_terms = -gamma * positive_weights * (margin - distances);
    const torch::Tensor negative_terms = gamma * negative_weights * ((1.0 - margin) - distances);
    constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();
    const torch::Tensor p_loss = torch::where(positive, positive_terms, kMinusInfinity).logsumexp(1);
    const torch::Tensor n_loss = torch::where(negative, negative_terms, kMinusInfinity).logsumexp(1);
    return torch::softplus(p_loss + n_loss);
  }
  torch::Tensor valid(const torch::Tensor& /*y_true*/, const torch::Tensor& values) const override {
    return values.gt(0);
  }
  Config get_config() const override {
    return {{"gamma", options_.gamma}, {"margin", options_.margin}, {"remove_diagonal", options_.remove_diagonal}};
  }
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                std::string_view layer) const override {
    torch::Tensor labels = y.dim() == 2 && y.size(1) == 1 ? y.squeeze(1) : y;
    if (output_shape.size() != 1 || labels.dim() != 1) {
      throw Error(
          fmt::format("circle: expected embeddings [N, D] and labels [N], received outputs {} from {} and y of "
                      "shape {}",
                      format_batch_shape(output_shape), layer, format_shape(y.sizes().vec())));
    }
    if (labels.is_floating_point() && labels.numel() > 0 && !labels.eq(labels.floor()).all().item<bool>()) {
      throw Error("circle: expected integer labels, received non-integer values in y");
    }
    return labels.to(torch::kInt64);
  }

 private:
  CircleOptions options_;
};

}  // namespace

Circle::Circle(CircleOptions options)
    : Loss((detail::check_range("Circle", "gamma", options.gamma, 0.0, std::numeric_limits<double>::max()),
            std::make_shared<CircleFunction>(options)),
           options.reduction) {}

namespace {

const registry::Registrar circle_registration(
    detail::loss_class<Circle>("Circle", "circle", {}, [](OptionsReader& read) {
      return CircleOptions{.gamma = read.number("gamma", 80.0),
                           .margin = read.number("margin", 0.4),
                           .remove_diagonal = read.boolean("remove_diagonal", true)};
    }));

}  // namespace
}  // namespace tkeras::losses
