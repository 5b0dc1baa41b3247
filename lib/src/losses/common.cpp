// What the loss classes share: axes, integer labels and option ranges.
#include "losses/common.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::losses::detail {

int64_t canonical_axis(int64_t axis, int64_t rank, std::string_view loss) {
  if (axis < -rank || axis >= rank) {
    throw Error(fmt::format("{}: expected an axis in {}..{} for values of rank {}, received axis={}", loss, -rank,
                            rank - 1, rank, axis));
  }
  return axis < 0 ? axis + rank : axis;
}

torch::Tensor prepare_labels(const torch::Tensor& y, const Shape& output_shape, std::string_view layer,
                             std::string_view loss, std::optional<int64_t> ignore_class, int64_t axis) {
  Shape expected = {y.dim() > 0 ? y.size(0) : 0};
  expected.insert(expected.end(), output_shape.begin(), output_shape.end());
  const int64_t class_axis = canonical_axis(axis, static_cast<int64_t>(expected.size()), loss);
  if (class_axis == 0) {
    throw Error(fmt::format("{}: expected outputs with a class axis after the batch axis, received outputs {} from {}",
                            loss, format_batch_shape(output_shape), layer));
  }
  const int64_t units = expected[static_cast<size_t>(class_axis)];
  expected.erase(expected.begin() + class_axis);
  // Labels with an axis of 1 where the classes are (or last), as Keras squeezes them.
  torch::Tensor labels = y;
  if (labels.dim() == static_cast<int64_t>(expected.size()) + 1) {
    if (labels.size(class_axis) == 1) {
      labels = labels.squeeze(class_axis);
    } else if (labels.size(-1) == 1) {
      labels = labels.squeeze(-1);
    }
  }
  if (labels.sizes().vec() != expected) {
    throw Error(fmt::format(
        "{}: expected integer class labels of shape {} for outputs {}, received y of shape {}{}", loss,
        format_shape(expected), format_batch_shape(output_shape), format_shape(y.sizes().vec()),
        y.dim() == static_cast<int64_t>(expected.size()) + 1 ? " (one-hot targets take categorical_crossentropy)"
                                                             : ""));
  }
  if (labels.numel() == 0) return labels.to(torch::kInt64);
  if (labels.is_floating_point() && !labels.eq(labels.floor()).all().item<bool>()) {
    throw Error(fmt::format("{}: expected integer class labels, received non-integer values in y", loss));
  }
  const torch::Tensor counted = ignore_class ? labels.masked_select(labels.ne(*ignore_class)) : labels;
  if (counted.numel() == 0) return labels.to(torch::kInt64);
  const auto low = counted.min().item<double>();
  const auto high = counted.max().item<double>();
  if (low < 0 || high > static_cast<double>(units - 1)) {
    throw Error(fmt::format("{} has {} units, so {} expects labels in 0..{}{}; received labels from {} to {}", layer,
                            units, loss, units - 1,
                            ignore_class ? fmt::format(" (or the ignored class {})", *ignore_class) : "", low, high));
  }
  return labels.to(torch::kInt64);
}

void check_range(std::string_view loss, std::string_view option, double value, double low, double high) {
  if (!std::isfinite(value) || value < low || value > high) {
    throw Error(high == std::numeric_limits<double>::max()
                    ? fmt::format("{}: expected {} >= {}, received {}", loss, option, low, value)
                    : fmt::format("{}: expected {} in [{}, {}], received {}", loss, option, low, high, value));
  }
}

}  // namespace tkeras::losses::detail
