// The accuracies, each Keras's metric function averaged per sample by MeanMetricWrapper.
#include "tkeras/metrics/accuracy.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "metrics/common.h"
#include "metrics/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::metrics {
namespace {

using registry::OptionsReader;

torch::Tensor accuracy(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  const auto [targets, outputs] = detail::same_rank(y_true.to(y_pred.scalar_type()), y_pred);
  return targets.eq(outputs);
}

torch::Tensor categorical_accuracy(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  return y_true.argmax(-1).eq(y_pred.argmax(-1));
}

torch::Tensor sparse_categorical_accuracy(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  // Labels [N, ..., 1] against outputs [N, ..., C] lose their last axis, as Keras's.
  const torch::Tensor labels = y_true.dim() == y_pred.dim() && y_true.size(-1) == 1 ? y_true.squeeze(-1) : y_true;
  return y_pred.argmax(-1).eq(labels.to(torch::kLong));
}

// Keras's in_top_k on the torch backend: the label's output is at least the k-th largest (ties
// with it count as in). More than the classes counts every class in, as TensorFlow's in_top_k.
torch::Tensor in_top_k(const torch::Tensor& labels, const torch::Tensor& outputs, int64_t k) {
  const torch::Tensor rows = outputs.reshape({-1, outputs.size(-1)});
  const int64_t top = std::min(k, rows.size(1));
  const torch::Tensor kth = std::get<0>(rows.topk(top, -1)).narrow(1, top - 1, 1);
  const torch::Tensor target = rows.gather(1, labels.reshape({-1, 1}).to(torch::kLong));
  return target.ge(kth).squeeze(1).reshape(labels.sizes());
}

void check_k(std::string_view class_name, int64_t k) {
  if (k < 1) throw Error(fmt::format("{}: expected k as a positive integer, received {}", class_name, k));
}

const registry::Registrar accuracy_registration(registry::plain<Accuracy>("Accuracy", "accuracy"));
const registry::Registrar binary_accuracy_registration({
    .class_name = "BinaryAccuracy",
    .name = "binary_accuracy",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "BinaryAccuracy");
      const BinaryAccuracyOptions options{.threshold = read.number("threshold", 0.5)};
      read.done();
      return std::make_shared<BinaryAccuracy>(options);
    },
});
const registry::Registrar categorical_accuracy_registration(
    registry::plain<CategoricalAccuracy>("CategoricalAccuracy", "categorical_accuracy"));
const registry::Registrar sparse_accuracy_registration(
    registry::plain<SparseCategoricalAccuracy>("SparseCategoricalAccuracy", "sparse_categorical_accuracy"));
const registry::Registrar top_k_registration({
    .class_name = "TopKCategoricalAccuracy",
    .name = "top_k_categorical_accuracy",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "TopKCategoricalAccuracy");
      const TopKCategoricalAccuracyOptions options{.k = read.integer("k", 5)};
      read.done();
      return std::make_shared<TopKCategoricalAccuracy>(options);
    },
});
const registry::Registrar sparse_top_k_registration({
    .class_name = "SparseTopKCategoricalAccuracy",
    .name = "sparse_top_k_categorical_accuracy",
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "SparseTopKCategoricalAccuracy");
      const SparseTopKCategoricalAccuracyOptions options{.k = read.integer("k", 5),
                                                         .from_sorted_ids = read.boolean("from_sorted_ids", false)};
      read.done();
      return std::make_shared<SparseTopKCategoricalAccuracy>(options);
    },
});

}  // namespace

Accuracy::Accuracy(std::string name) : MeanMetricWrapper(accuracy, std::move(name)) {}

BinaryAccuracy::BinaryAccuracy(BinaryAccuracyOptions options)
    : MeanMetricWrapper(
          [threshold = options.threshold](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
            const auto [targets, outputs] = detail::same_rank(y_true, y_pred);
            // Keras's: the thresholded output, in the targets' type, equal to the target.
            return outputs.gt(threshold).to(targets.scalar_type()).eq(targets);
          },
          std::move(options.name)),
      threshold_(options.threshold) {}

CategoricalAccuracy::CategoricalAccuracy(std::string name) : MeanMetricWrapper(categorical_accuracy, std::move(name)) {}

SparseCategoricalAccuracy::SparseCategoricalAccuracy(std::string name)
    : MeanMetricWrapper(sparse_categorical_accuracy, std::move(name)) {}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options)
    : MeanMetricWrapper([k = options.k](const torch::Tensor& y_true,
                                        const torch::Tensor& y_pred) { return in_top_k(y_true.argmax(-1), y_pred, k); },
                        std::move(options.name)),
      k_(options.k) {
  check_k("TopKCategoricalAccuracy", k_);
}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(SparseTopKCategoricalAccuracyOptions options)
    : MeanMetricWrapper(
          [k = options.k, sorted = options.from_sorted_ids](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
            const torch::Tensor labels =
                y_true.dim() == y_pred.dim() && y_true.size(-1) == 1 ? y_true.squeeze(-1) : y_true;
            if (!sorted) return in_top_k(labels, y_pred, k);
            // The outputs are class ids, best first: is the label among the first k?
            const torch::Tensor ids = y_pred.reshape({-1, y_pred.size(-1)});
            const int64_t top = std::min(k, ids.size(1));
            return ids.narrow(1, 0, top)
                .eq(labels.reshape({-1, 1}).to(ids.scalar_type()))
                .any(1)
                .reshape(labels.sizes());
          },
          std::move(options.name)),
      k_(options.k),
      from_sorted_ids_(options.from_sorted_ids) {
  check_k("SparseTopKCategoricalAccuracy", k_);
}

Config SparseTopKCategoricalAccuracy::config_options() const {
  Config config = {{"k", k_}};
  if (from_sorted_ids_) config["from_sorted_ids"] = true;  // as Keras: only when set
  return config;
}

}  // namespace tkeras::metrics
