// The IoU metrics: Keras's weighted confusion matrix, added into in place (index_put_ with
// accumulate, as Keras's torch scatter; bincount would read its size back from the device), and
// IoU's result from it.
#include "tkeras/metrics/iou.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::metrics {
namespace {

// Keras's backend epsilon, which keeps the IoU of an empty class and the mean of none at 0.
constexpr double kIoUEpsilon = 1e-7;

std::vector<int64_t> iou_all_classes(int64_t num_classes) {
  std::vector<int64_t> classes(static_cast<size_t>(std::max<int64_t>(num_classes, 0)));
  std::iota(classes.begin(), classes.end(), 0);
  return classes;
}

Config iou_optional(const std::optional<int64_t>& value) { return value ? Config(*value) : Config(nullptr); }

// One weight per label: Keras's weights of the labels' shape, or (tkeras's sample weights) one per
// sample spread over its labels, or one for all.
torch::Tensor iou_label_weights(const torch::Tensor& sample_weight, const torch::Tensor& truth, const Metric& metric) {
  const int64_t count = truth.numel();
  const torch::Tensor weight = sample_weight.to(torch::kFloat64);
  if (weight.numel() == count) return weight.reshape({-1});
  if (weight.numel() == 1) return weight.reshape({1}).expand({count});
  if (truth.dim() >= 1 && weight.dim() == 1 && weight.size(0) == truth.size(0)) {
    return weight.reshape({-1, 1}).expand({truth.size(0), count / truth.size(0)}).reshape({-1});
  }
  throw Error(
      fmt::format("{} \"{}\": expected sample weights of shape [{}] (one per sample) or {} (one per label), "
                  "received shape {}",
                  metric.class_name(), metric.name(), truth.dim() >= 1 ? truth.size(0) : 1,
                  format_shape(truth.sizes().vec()), format_shape(sample_weight.sizes().vec())));
}

}  // namespace

IoU::IoU(int64_t num_classes, std::vector<int64_t> target_class_ids, IoUOptions options)
    : IoU(Settings{.name = std::move(options.name),
                   .num_classes = num_classes,
                   .target_class_ids = std::move(target_class_ids),
                   .ignore_class = options.ignore_class,
                   .sparse_y_true = options.sparse_y_true,
                   .sparse_y_pred = options.sparse_y_pred,
                   .axis = options.axis},
          "IoU") {}

IoU::IoU(Settings settings, std::string_view class_name) : Metric(settings.name), settings_(std::move(settings)) {
  const int64_t classes = settings_.num_classes;
  if (classes < 1) throw Error(fmt::format("{}: expected num_classes of at least 1, received {}", class_name, classes));
  const std::vector<int64_t>& ids = settings_.target_class_ids;
  if (ids.empty()) throw Error(fmt::format("{}: expected at least one target class id, received none", class_name));
  for (const int64_t id : ids) {
    if (id < 0 || id >= classes) {
      throw Error(fmt::format("{}: expected target class ids in 0..{} (num_classes={}), received target_class_ids=[{}]",
                              class_name, classes - 1, classes, fmt::join(ids, ", ")));
    }
  }
  total_confusion_matrix_ = add_variable("total_confusion_matrix", {classes, classes});
}

torch::Tensor IoU::labels(const torch::Tensor& values, bool sparse, const char* which) const {
  if (sparse) return values;
  const int64_t rank = values.dim();
  if (settings_.axis < -rank || settings_.axis >= rank) {
    throw Error(fmt::format("{} \"{}\": expected {} with a class axis {} for the argmax, received shape {}",
                            class_name(), name(), which, settings_.axis, format_shape(values.sizes().vec())));
  }
  return values.argmax(settings_.axis);
}

void IoU::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred, const torch::Tensor& sample_weight) {
  const torch::Tensor truth = labels(y_true, settings_.sparse_y_true, "y_true");
  const torch::Tensor predicted = labels(y_pred, settings_.sparse_y_pred, "y_pred");
  if (truth.numel() != predicted.numel()) {
    throw Error(fmt::format(
        "{} \"{}\": expected as many predicted labels as true ones, received {} true (y_true of shape {}) and {} "
        "predicted (y_pred of shape {})",
        class_name(), name(), truth.numel(), format_shape(y_true.sizes().vec()), predicted.numel(),
        format_shape(y_pred.sizes().vec())));
  }
  torch::Tensor& matrix = variable(total_confusion_matrix_);
  const torch::Device device = matrix.device();
  // Keras casts the labels to its integer dtype: float labels are truncated.
  const torch::Tensor t = truth.reshape({-1}).to(device, torch::kLong);
  const torch::Tensor p = predicted.reshape({-1}).to(device, torch::kLong);
  const int64_t classes = settings_.num_classes;
  // Labels out of range, and the ignored class, add nothing (as Keras's bounds mask).
  torch::Tensor keep = t.ge(0).logical_and(t.lt(classes)).logical_and(p.ge(0)).logical_and(p.lt(classes));
  if (settings_.ignore_class) keep = keep.logical_and(t.ne(*settings_.ignore_class));
  const torch::Tensor weights =
      sample_weight.defined()
          ? torch::where(keep, iou_label_weights(sample_weight, truth, *this).to(device, torch::kFloat64), 0.0)
          : keep.to(torch::kFloat64);
  const torch::Tensor dropped = keep.logical_not();
  c10::List<std::optional<torch::Tensor>> cells;
  cells.push_back(t.masked_fill(dropped, 0));
  cells.push_back(p.masked_fill(dropped, 0));
  matrix.index_put_(cells, weights, /*accumulate=*/true);
}

torch::Tensor IoU::result() const {
  const torch::Tensor& matrix = variable(total_confusion_matrix_);
  const torch::Tensor true_positives = matrix.diagonal();
  // Column sums plus row sums: twice the true positives, plus the false positives and negatives.
  const torch::Tensor denominator = matrix.sum(0) + matrix.sum(1) - true_positives;
  const torch::Tensor ids =
      torch::tensor(settings_.target_class_ids, torch::TensorOptions().dtype(torch::kLong)).to(matrix.device());
  const torch::Tensor target_true_positives = true_positives.index_select(0, ids);
  const torch::Tensor target_denominator = denominator.index_select(0, ids);
  // A class in neither targets nor outputs has no IoU: it is left out of the mean.
  const torch::Tensor valid = target_denominator.gt(1e-9);
  const torch::Tensor iou = torch::where(valid, target_true_positives / (target_denominator + kIoUEpsilon), 0.0);
  return iou.sum() / (valid.to(torch::kFloat64).sum() + kIoUEpsilon);
}

Config IoU::config_options() const {
  return {{"num_classes", settings_.num_classes},
          {"target_class_ids", settings_.target_class_ids},
          {"ignore_class", iou_optional(settings_.ignore_class)},
          {"sparse_y_true", settings_.sparse_y_true},
          {"sparse_y_pred", settings_.sparse_y_pred},
          {"axis", settings_.axis}};
}

BinaryIoU::BinaryIoU(BinaryIoUOptions options)
    : IoU(Settings{.name = std::move(options.name),
                   .num_classes = 2,
                   .target_class_ids = std::move(options.target_class_ids)},
          "BinaryIoU"),
      threshold_(options.threshold) {}

void BinaryIoU::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                             const torch::Tensor& sample_weight) {
  // Keras compares in float32, so that the threshold cuts the outputs where Keras does.
  IoU::update_state(y_true, y_pred.to(torch::kFloat32).ge(threshold_), sample_weight);
}

Config BinaryIoU::config_options() const {
  return {{"target_class_ids", target_class_ids()}, {"threshold", threshold_}};
}

MeanIoU::MeanIoU(int64_t num_classes, MeanIoUOptions options)
    : MeanIoU(Settings{.name = std::move(options.name),
                       .num_classes = num_classes,
                       .target_class_ids = iou_all_classes(num_classes),
                       .ignore_class = options.ignore_class,
                       .sparse_y_true = options.sparse_y_true,
                       .sparse_y_pred = options.sparse_y_pred,
                       .axis = options.axis},
              "MeanIoU") {}

MeanIoU::MeanIoU(Settings settings, std::string_view class_name) : IoU(std::move(settings), class_name) {}

Config MeanIoU::config_options() const {
  return {{"num_classes", num_classes()},
          {"ignore_class", iou_optional(ignore_class())},
          {"sparse_y_true", sparse_y_true()},
          {"sparse_y_pred", sparse_y_pred()},
          {"axis", axis()}};
}

OneHotIoU::OneHotIoU(int64_t num_classes, std::vector<int64_t> target_class_ids, OneHotIoUOptions options)
    : IoU(Settings{.name = std::move(options.name),
                   .num_classes = num_classes,
                   .target_class_ids = std::move(target_class_ids),
                   .ignore_class = options.ignore_class,
                   .sparse_y_true = false,
                   .sparse_y_pred = options.sparse_y_pred,
                   .axis = options.axis},
          "OneHotIoU") {}

Config OneHotIoU::config_options() const {
  return {{"num_classes", num_classes()},
          {"target_class_ids", target_class_ids()},
          {"ignore_class", iou_optional(ignore_class())},
          {"sparse_y_pred", sparse_y_pred()},
          {"axis", axis()}};
}

OneHotMeanIoU::OneHotMeanIoU(int64_t num_classes, OneHotMeanIoUOptions options)
    : MeanIoU(Settings{.name = std::move(options.name),
                       .num_classes = num_classes,
                       .target_class_ids = iou_all_classes(num_classes),
                       .ignore_class = options.ignore_class,
                       .sparse_y_true = false,
                       .sparse_y_pred = options.sparse_y_pred,
                       .axis = options.axis},
              "OneHotMeanIoU") {}

Config OneHotMeanIoU::config_options() const {
  return {{"num_classes", num_classes()},
          {"ignore_class", iou_optional(ignore_class())},
          {"sparse_y_pred", sparse_y_pred()},
          {"axis", axis()}};
}

namespace {

using registry::OptionsReader;

// The num_classes Keras requires (it has no default).
int64_t iou_num_classes(OptionsReader& read, std::string_view class_name) {
  const std::optional<int64_t> classes = read.optional_integer("num_classes");
  if (!classes) throw Error(fmt::format("{}: expected num_classes, the number of classes, received none", class_name));
  return *classes;
}

// The target_class_ids Keras requires (it has no default).
std::vector<int64_t> iou_target_class_ids(OptionsReader& read, std::string_view class_name) {
  std::optional<std::vector<int64_t>> ids = read.integers("target_class_ids");
  if (!ids) throw Error(fmt::format("{}: expected target_class_ids, a list of classes, received none", class_name));
  return std::move(*ids);
}

const registry::Registrar iou_registration(registry::MetricClass{
    .class_name = "IoU",
    .name = "io_u",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "IoU");
      const int64_t classes = iou_num_classes(read, "IoU");
      std::vector<int64_t> ids = iou_target_class_ids(read, "IoU");
      IoUOptions options{.ignore_class = read.optional_integer("ignore_class"),
                         .sparse_y_true = read.boolean("sparse_y_true", true),
                         .sparse_y_pred = read.boolean("sparse_y_pred", true),
                         .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<IoU>(classes, std::move(ids), std::move(options));
    }});

const registry::Registrar binary_iou_registration(registry::MetricClass{
    .class_name = "BinaryIoU",
    .name = "binary_io_u",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "BinaryIoU");
      BinaryIoUOptions options{
          .target_class_ids = read.integers("target_class_ids").value_or(std::vector<int64_t>{0, 1}),
          .threshold = read.number("threshold", 0.5)};
      read.done();
      return std::make_shared<BinaryIoU>(std::move(options));
    }});

const registry::Registrar mean_iou_registration(registry::MetricClass{
    .class_name = "MeanIoU",
    .name = "mean_io_u",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "MeanIoU");
      const int64_t classes = iou_num_classes(read, "MeanIoU");
      MeanIoUOptions options{.ignore_class = read.optional_integer("ignore_class"),
                             .sparse_y_true = read.boolean("sparse_y_true", true),
                             .sparse_y_pred = read.boolean("sparse_y_pred", true),
                             .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<MeanIoU>(classes, std::move(options));
    }});

const registry::Registrar one_hot_iou_registration(registry::MetricClass{
    .class_name = "OneHotIoU",
    .name = "one_hot_io_u",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "OneHotIoU");
      const int64_t classes = iou_num_classes(read, "OneHotIoU");
      std::vector<int64_t> ids = iou_target_class_ids(read, "OneHotIoU");
      OneHotIoUOptions options{.ignore_class = read.optional_integer("ignore_class"),
                               .sparse_y_pred = read.boolean("sparse_y_pred", false),
                               .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<OneHotIoU>(classes, std::move(ids), std::move(options));
    }});

const registry::Registrar one_hot_mean_iou_registration(registry::MetricClass{
    .class_name = "OneHotMeanIoU",
    .name = "one_hot_mean_io_u",
    .aliases = {},
    .from_config = [](const Config& config) -> std::shared_ptr<Metric> {
      OptionsReader read(config, "OneHotMeanIoU");
      const int64_t classes = iou_num_classes(read, "OneHotMeanIoU");
      OneHotMeanIoUOptions options{.ignore_class = read.optional_integer("ignore_class"),
                                   .sparse_y_pred = read.boolean("sparse_y_pred", false),
                                   .axis = read.integer("axis", -1)};
      read.done();
      return std::make_shared<OneHotMeanIoU>(classes, std::move(options));
    }});

}  // namespace
}  // namespace tkeras::metrics
