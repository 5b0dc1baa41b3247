// Sample weights as Keras's data adapters take them, and class weights turned into them.
#include "training/sample_weight.h"

#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::training {

torch::Tensor prepare_sample_weight(const torch::Tensor& sample_weight, int64_t samples, torch::Device device,
                                    std::string_view entry) {
  const bool per_sample = sample_weight.dim() == 1 || (sample_weight.dim() == 2 && sample_weight.size(1) == 1);
  if (!per_sample || sample_weight.size(0) != samples) {
    throw Error(fmt::format("{}: expected sample_weight of shape [{}] (one weight per sample), received {}", entry,
                            samples, format_shape(sample_weight.sizes().vec())));
  }
  if (sample_weight.is_complex()) {
    throw Error(fmt::format("{}: expected sample_weight of a real dtype, received complex {}", entry,
                            c10::toString(sample_weight.scalar_type())));
  }
  return sample_weight.reshape({samples}).to(device, torch::kFloat32, /*non_blocking=*/sample_weight.is_pinned());
}

torch::Tensor class_weight_to_sample_weights(const torch::Tensor& y, const std::map<int64_t, double>& class_weight,
                                             bool labels, std::string_view entry) {
  torch::Tensor classes;
  if (y.dim() == 1 || (y.dim() == 2 && y.size(1) == 1)) {
    classes = y.reshape({y.size(0)});
    if (classes.is_floating_point()) classes = classes.round();
  } else if (y.dim() == 2 && !labels) {
    classes = y.argmax(-1);
  } else {
    // (Keras takes the argmax of [N, T] labels as if they were one-hot rows; tkeras refuses them.)
    throw Error(fmt::format(
        "{}: class_weight expects targets of shape [N] or [N, 1] (class labels) or [N, classes] (one-hot), received "
        "y of shape {}; pass sample_weight instead",
        entry, format_shape(y.sizes().vec())));
  }
  classes = classes.to(torch::kInt64);
  // The listed classes, sorted (as the map keeps them), searched for each sample's class.
  std::vector<int64_t> listed_classes;
  std::vector<float> weights;
  for (const auto& [label, weight] : class_weight) {
    listed_classes.push_back(label);
    weights.push_back(static_cast<float>(weight));
  }
  const auto count = static_cast<int64_t>(listed_classes.size());
  const torch::Tensor keys = torch::tensor(listed_classes, torch::kInt64).to(y.device());
  const torch::Tensor values = torch::tensor(weights, torch::kFloat32).to(y.device());
  const torch::Tensor position = torch::searchsorted(keys, classes).clamp_max(count - 1);
  const torch::Tensor listed = keys.index_select(0, position).eq(classes);
  return torch::where(listed, values.index_select(0, position), torch::ones({}, values.options()));
}

}  // namespace tkeras::training
