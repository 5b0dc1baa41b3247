// The confusion-matrix metrics: Keras's update_confusion_matrix_variables (its broadcast compare,
// and its bucketed cumulative sum for evenly spaced thresholds) over LibTorch ops, and each class's
// result and registration.
#include "tkeras/metrics/confusion.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "metrics/registry.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

namespace tkeras::metrics {
namespace {

// Keras's NEG_INF: the threshold when only top_k decides, and the value of the other predictions.
constexpr double kNegInf = -1e10;
// Keras's backend epsilon: AUC's end thresholds lie this far outside [0, 1].
constexpr double kEpsilon = 1e-7;

// The variables update_cells adds into; null for a cell the metric does not keep.
struct Cells {
  torch::Tensor* true_positives = nullptr;
  torch::Tensor* false_positives = nullptr;
  torch::Tensor* true_negatives = nullptr;
  torch::Tensor* false_negatives = nullptr;
};

// How update_cells reads a batch.
struct Thresholding {
  const std::vector<double>* thresholds = nullptr;
  bool evenly = false;             // Keras's thresholds_distributed_evenly: the bucketed path
  torch::Tensor* cache = nullptr;  // the thresholds as float32 on the last batch's device
  std::optional<int64_t> top_k;
  std::optional<int64_t> class_id;
  bool multi_label = false;                      // one column per label instead of one flat column
  const torch::Tensor* label_weights = nullptr;  // float64 [C] on the device, or null
};

torch::Tensor divide_no_nan(const torch::Tensor& x, const torch::Tensor& y) {
  return torch::where(y == 0, torch::zeros_like(x), x / y);
}

std::string shape_of(const torch::Tensor& tensor) { return format_shape(tensor.sizes().vec()); }

// Keras's is_evenly_distributed_thresholds: np.allclose to arange(n) / (n - 1) in float32.
bool evenly_distributed(const std::vector<double>& thresholds) {
  const size_t n = thresholds.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    const double even = static_cast<float>(i) / static_cast<float>(n - 1);
    if (!(std::abs(thresholds[i] - even) <= 1e-7 + 1e-5 * std::abs(even))) return false;
  }
  return true;
}

void check_thresholds(const char* class_name, const std::optional<std::vector<double>>& thresholds) {
  if (!thresholds) return;
  std::vector<double> invalid;
  std::copy_if(thresholds->begin(), thresholds->end(), std::back_inserter(invalid),
               [](double t) { return !(t >= 0.0 && t <= 1.0); });
  if (!invalid.empty()) {
    throw Error(fmt::format("{}: expected thresholds in [0, 1], received {}", class_name, fmt::join(invalid, ", ")));
  }
}

// Keras's parse_init_thresholds: checked, or the default alone.
std::vector<double> parse_thresholds(const char* class_name, const std::optional<std::vector<double>>& thresholds,
                                     double fallback) {
  check_thresholds(class_name, thresholds);
  return thresholds ? *thresholds : std::vector<double>{fallback};
}

void check_class_id(const char* class_name, std::optional<int64_t> class_id) {
  if (class_id && *class_id < 0) {
    throw Error(fmt::format("{}: expected class_id as a class index (at least 0), received {}", class_name, *class_id));
  }
}

void check_top_k(const char* class_name, std::optional<int64_t> top_k) {
  if (top_k && *top_k < 1) {
    throw Error(fmt::format("{}: expected top_k as a positive integer, received {}", class_name, *top_k));
  }
}

// Thresholds as Keras writes them: null, a number for one, else a list.
Config thresholds_config(const std::optional<std::vector<double>>& thresholds) {
  if (!thresholds) return nullptr;
  if (thresholds->size() == 1) return thresholds->front();
  return *thresholds;
}

Config optional_config(const std::optional<int64_t>& value) { return value ? Config(*value) : Config(nullptr); }

const torch::Tensor& thresholds_on(const Thresholding& how, torch::Device device) {
  torch::Tensor& cache = *how.cache;
  if (!cache.defined()) cache = torch::tensor(*how.thresholds, torch::kFloat64).to(torch::kFloat32);
  if (cache.device() != device) cache = cache.to(device);
  return cache;
}

bool expandable(c10::IntArrayRef from, c10::IntArrayRef to) {
  if (from.size() > to.size()) return false;
  const size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[offset + i]) return false;
  }
  return true;
}

// Keras's squeeze_or_expand_to_same_rank(y_pred, y_true): a trailing axis of 1 on one side only.
void same_rank(torch::Tensor& y_pred, torch::Tensor& y_true) {
  if (y_pred.dim() == y_true.dim() + 1 && y_pred.size(-1) == 1) {
    if (y_true.dim() == 1) {
      y_true = y_true.unsqueeze(-1);
    } else {
      y_pred = y_pred.squeeze(-1);
    }
  } else if (y_true.dim() == y_pred.dim() + 1 && y_true.size(-1) == 1) {
    if (y_pred.dim() == 1) {
      y_pred = y_pred.unsqueeze(-1);
    } else {
      y_true = y_true.squeeze(-1);
    }
  }
}

// Sample weights as float64 of the outputs' shape: [N] weighs each sample's values; otherwise as
// Keras, an axis is added at the end and the weights broadcast.
torch::Tensor weights_like(std::string_view metric, const torch::Tensor& sample_weight, const torch::Tensor& y_pred) {
  torch::Tensor weights = sample_weight.to(torch::kFloat64);
  const int64_t rank = y_pred.dim();
  if (weights.dim() == 1 && rank >= 1 && weights.size(0) == y_pred.size(0)) {
    std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
    shape[0] = y_pred.size(0);
    weights = weights.reshape(shape);
  } else if (rank >= 1 && weights.dim() == rank - 1) {
    weights = weights.unsqueeze(-1);
  }
  if (!expandable(weights.sizes(), y_pred.sizes())) {
    throw Error(
        fmt::format("{}: expected sample weights of shape [{}] or broadcastable to the outputs' shape {}, "
                    "received {}",
                    metric, rank >= 1 ? y_pred.size(0) : 1, shape_of(y_pred), shape_of(sample_weight)));
  }
  return weights.expand(y_pred.sizes());
}

// Keras's _filter_top_k: the k largest values of each row (the last axis) kept, the rest NEG_INF.
torch::Tensor filter_top_k(std::string_view metric, const torch::Tensor& y_pred, int64_t k) {
  if (y_pred.dim() == 0 || k > y_pred.size(-1)) {
    throw Error(fmt::format("{}: expected outputs with at least top_k={} values on the last axis, received shape {}",
                            metric, k, shape_of(y_pred)));
  }
  const torch::Tensor index = std::get<1>(y_pred.topk(k, -1));
  return torch::full_like(y_pred, kNegInf).scatter(-1, index, y_pred.gather(-1, index));
}

// The weighted sums of `values` [N, C] over the predictions above each threshold: [T, C].
torch::Tensor above_each(const torch::Tensor& values, const torch::Tensor& above) {
  return (above * values.unsqueeze(0)).sum(1);
}

// Keras's bucketed path for evenly spaced thresholds: each prediction (clipped to [0, 1]) falls in
// the bucket of the last threshold it exceeds; a reversed cumulative sum gives the counts above
// each threshold. `index` [N, C] holds each prediction's bucket, T for none.
torch::Tensor bucketed(const torch::Tensor& values, const torch::Tensor& index, int64_t thresholds) {
  const torch::Tensor sums =
      torch::zeros({values.size(1), thresholds + 1}, values.options()).scatter_add_(1, index.t(), values.t());
  return sums.narrow(1, 0, thresholds).flip(1).cumsum(1).flip(1).t();
}

// Keras's update_confusion_matrix_variables: adds the batch's weighted counts into `cells`.
void update_cells(std::string_view metric, const Cells& cells, const torch::Tensor& y_true_in,
                  const torch::Tensor& y_pred_in, const torch::Tensor& sample_weight, const Thresholding& how) {
  // Predictions and thresholds compare in float32, as in Keras's float32 metrics.
  torch::Tensor y_pred = y_pred_in.to(torch::kFloat32);
  torch::Tensor y_true = y_true_in.to(torch::kFloat32);
  same_rank(y_pred, y_true);
  if (y_true.sizes() != y_pred.sizes()) {
    throw Error(fmt::format("{}: expected targets of the outputs' shape {}, received {}", metric, shape_of(y_pred_in),
                            shape_of(y_true_in)));
  }
  torch::Tensor weights = sample_weight.defined() ? weights_like(metric, sample_weight, y_pred) : torch::Tensor();

  if (how.top_k) y_pred = filter_top_k(metric, y_pred, *how.top_k);
  if (how.class_id) {
    if (y_pred.dim() < 2) {
      throw Error(fmt::format("{}: with class_id, expected outputs of shape (num_samples, num_classes), received {}",
                              metric, shape_of(y_pred)));
    }
    if (*how.class_id >= y_pred.size(-1)) {
      throw Error(fmt::format("{}: expected class_id below the {} classes of outputs of shape {}, received {}", metric,
                              y_pred.size(-1), shape_of(y_pred), *how.class_id));
    }
    const auto only_class = [&](const torch::Tensor& t) { return t.select(-1, *how.class_id).unsqueeze(-1); };
    y_true = only_class(y_true);
    y_pred = only_class(y_pred);
    if (weights.defined()) weights = only_class(weights);
  }
  if (how.label_weights != nullptr) {
    const int64_t labels = how.label_weights->size(0);
    if (y_pred.dim() < 2 || y_pred.size(-1) != labels) {
      throw Error(
          fmt::format("{}: expected outputs with the {} label weights' {} units on the last axis, received "
                      "shape {}",
                      metric, labels, labels, shape_of(y_pred)));
    }
    const torch::Tensor label_weights = how.label_weights->expand(y_pred.sizes());
    weights = weights.defined() ? weights * label_weights : label_weights;
  }

  // Columns: one per label with multi_label ([N, C]), else every value in one ([N * C, 1]).
  const auto columns = [&](const torch::Tensor& t) { return how.multi_label ? t : t.reshape({-1, 1}); };
  const torch::Tensor positive = columns(y_true.ne(0));
  const torch::Tensor predictions = columns(y_pred);
  torch::Tensor true_labels = positive.to(torch::kFloat64);
  torch::Tensor false_labels = positive.logical_not().to(torch::kFloat64);
  if (weights.defined()) {
    const torch::Tensor w = columns(weights);
    true_labels = true_labels * w;
    false_labels = false_labels * w;
  }

  const std::vector<double>& thresholds = *how.thresholds;
  const auto count = static_cast<int64_t>(thresholds.size());
  torch::Tensor true_positives;
  torch::Tensor false_positives;
  if (how.evenly) {
    const bool with_epsilon = thresholds.front() < 0.0 || thresholds.back() > 1.0;
    torch::Tensor bucket = (predictions.clamp(0.0, 1.0) * static_cast<double>(count - 1)).ceil() - 1.0;
    // With the end thresholds outside [0, 1], a prediction of 0 still exceeds the first.
    if (with_epsilon) bucket = bucket.clamp_min(0.0);
    torch::Tensor index = bucket.nan_to_num(-1.0).to(torch::kLong);
    index = index.masked_fill(index.lt(0).logical_or(index.ge(count)), count);
    true_positives = bucketed(true_labels, index, count);
    false_positives = bucketed(false_labels, index, count);
  } else {
    const torch::Tensor above =
        predictions.unsqueeze(0).gt(thresholds_on(how, predictions.device()).view({count, 1, 1})).to(torch::kFloat64);
    true_positives = above_each(true_labels, above);
    false_positives = above_each(false_labels, above);
  }

  const auto add = [](torch::Tensor* variable, const torch::Tensor& values) {
    if (variable != nullptr) variable->add_(values.reshape(variable->sizes()));
  };
  add(cells.true_positives, true_positives);
  add(cells.false_positives, false_positives);
  if (cells.false_negatives != nullptr) add(cells.false_negatives, true_labels.sum(0) - true_positives);
  if (cells.true_negatives != nullptr) add(cells.true_negatives, false_labels.sum(0) - false_positives);
}

// Evenly spaced thresholds over [0, 1], as Keras's AUC and SensitivitySpecificityBase make them:
// the inner ones, without the ends.
std::vector<double> inner_thresholds(int64_t num_thresholds) {
  std::vector<double> inner;
  for (int64_t i = 0; i + 2 < num_thresholds; ++i) {
    inner.push_back(static_cast<double>(i + 1) * 1.0 / static_cast<double>(num_thresholds - 1));
  }
  return inner;
}

torch::Tensor first_if_one(const torch::Tensor& values, size_t thresholds) {
  return thresholds == 1 ? values.select(0, 0).clone() : values.clone();
}

}  // namespace

// ConfusionCount and the four counts.

ConfusionCount::ConfusionCount(Cell cell, const std::optional<std::vector<double>>& thresholds, std::string name,
                               const char* class_name)
    : Metric(std::move(name)),
      cell_(cell),
      init_thresholds_(thresholds),
      thresholds_(parse_thresholds(class_name, thresholds, 0.5)),
      evenly_(evenly_distributed(thresholds_)) {
  accumulator_ = add_variable("accumulator", {static_cast<int64_t>(thresholds_.size())});
}

void ConfusionCount::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                  const torch::Tensor& sample_weight) {
  Cells cells;
  torch::Tensor* accumulator = &variable(accumulator_);
  switch (cell_) {
    case Cell::true_positives:
      cells.true_positives = accumulator;
      break;
    case Cell::false_positives:
      cells.false_positives = accumulator;
      break;
    case Cell::true_negatives:
      cells.true_negatives = accumulator;
      break;
    case Cell::false_negatives:
      cells.false_negatives = accumulator;
      break;
  }
  update_cells(name(), cells, y_true, y_pred, sample_weight,
               {.thresholds = &thresholds_, .evenly = evenly_, .cache = &thresholds_tensor_});
}

torch::Tensor ConfusionCount::result() const { return first_if_one(variable(accumulator_), thresholds_.size()); }

Config ConfusionCount::config_options() const { return {{"thresholds", thresholds_config(init_thresholds_)}}; }

TruePositives::TruePositives(TruePositivesOptions options)
    : ConfusionCount(Cell::true_positives, options.thresholds, std::move(options.name), "TruePositives") {}

FalsePositives::FalsePositives(FalsePositivesOptions options)
    : ConfusionCount(Cell::false_positives, options.thresholds, std::move(options.name), "FalsePositives") {}

TrueNegatives::TrueNegatives(TrueNegativesOptions options)
    : ConfusionCount(Cell::true_negatives, options.thresholds, std::move(options.name), "TrueNegatives") {}

FalseNegatives::FalseNegatives(FalseNegativesOptions options)
    : ConfusionCount(Cell::false_negatives, options.thresholds, std::move(options.name), "FalseNegatives") {}

// Precision and Recall.

Precision::Precision(PrecisionOptions options)
    : Metric(options.name),
      options_(std::move(options)),
      thresholds_(parse_thresholds("Precision", options_.thresholds, options_.top_k ? kNegInf : 0.5)),
      evenly_(evenly_distributed(thresholds_)) {
  check_top_k("Precision", options_.top_k);
  check_class_id("Precision", options_.class_id);
  const Shape shape = {static_cast<int64_t>(thresholds_.size())};
  true_positives_ = add_variable("true_positives", shape);
  false_positives_ = add_variable("false_positives", shape);
}

void Precision::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                             const torch::Tensor& sample_weight) {
  update_cells(name(), {.true_positives = &variable(true_positives_), .false_positives = &variable(false_positives_)},
               y_true, y_pred, sample_weight,
               {.thresholds = &thresholds_,
                .evenly = evenly_,
                .cache = &thresholds_tensor_,
                .top_k = options_.top_k,
                .class_id = options_.class_id});
}

torch::Tensor Precision::result() const {
  const torch::Tensor& tp = variable(true_positives_);
  return first_if_one(divide_no_nan(tp, tp + variable(false_positives_)), thresholds_.size());
}

Config Precision::config_options() const {
  return {{"thresholds", thresholds_config(options_.thresholds)},
          {"top_k", optional_config(options_.top_k)},
          {"class_id", optional_config(options_.class_id)}};
}

Recall::Recall(RecallOptions options)
    : Metric(options.name),
      options_(std::move(options)),
      thresholds_(parse_thresholds("Recall", options_.thresholds, options_.top_k ? kNegInf : 0.5)),
      evenly_(evenly_distributed(thresholds_)) {
  check_top_k("Recall", options_.top_k);
  check_class_id("Recall", options_.class_id);
  const Shape shape = {static_cast<int64_t>(thresholds_.size())};
  true_positives_ = add_variable("true_positives", shape);
  false_negatives_ = add_variable("false_negatives", shape);
}

void Recall::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                          const torch::Tensor& sample_weight) {
  update_cells(name(), {.true_positives = &variable(true_positives_), .false_negatives = &variable(false_negatives_)},
               y_true, y_pred, sample_weight,
               {.thresholds = &thresholds_,
                .evenly = evenly_,
                .cache = &thresholds_tensor_,
                .top_k = options_.top_k,
                .class_id = options_.class_id});
}

torch::Tensor Recall::result() const {
  const torch::Tensor& tp = variable(true_positives_);
  return first_if_one(divide_no_nan(tp, tp + variable(false_negatives_)), thresholds_.size());
}

Config Recall::config_options() const {
  return {{"thresholds", thresholds_config(options_.thresholds)},
          {"top_k", optional_config(options_.top_k)},
          {"class_id", optional_config(options_.class_id)}};
}

// AUC.

namespace {

// Keras's AUCCurve.from_str and AUCSummationMethod.from_str: the canonical name, or empty.
std::string canonical_curve(std::string_view curve) {
  if (curve == "ROC" || curve == "roc") return "ROC";
  if (curve == "PR" || curve == "pr") return "PR";
  if (curve == "PRGAIN" || curve == "prgain") return "PRGAIN";
  return {};
}

std::string canonical_summation(std::string_view method) {
  if (method == "interpolation" || method == "Interpolation") return "interpolation";
  if (method == "minoring" || method == "Minoring") return "minoring";
  if (method == "majoring" || method == "Majoring") return "majoring";
  return {};
}

AUCOptions checked(AUCOptions options) {
  const std::string curve = canonical_curve(options.curve);
  if (curve.empty()) {
    throw Error(fmt::format("AUC: expected curve \"ROC\", \"PR\" or \"PRGAIN\", received \"{}\"", options.curve));
  }
  options.curve = curve;
  const std::string summation = canonical_summation(options.summation_method);
  if (summation.empty()) {
    throw Error(
        fmt::format("AUC: expected summation_method \"interpolation\", \"minoring\" or \"majoring\", received \"{}\"",
                    options.summation_method));
  }
  options.summation_method = summation;
  if (options.thresholds) {
    check_thresholds("AUC", options.thresholds);
    std::sort(options.thresholds->begin(), options.thresholds->end());
    options.num_thresholds = static_cast<int64_t>(options.thresholds->size()) + 2;
  } else if (options.num_thresholds <= 1) {
    throw Error(fmt::format("AUC: expected num_thresholds as an integer > 1, received {}", options.num_thresholds));
  }
  if (options.num_labels) {
    if (!options.multi_label) {
      throw Error(fmt::format("AUC: num_labels is needed only when multi_label is true, received num_labels={}",
                              *options.num_labels));
    }
    if (*options.num_labels < 1) {
      throw Error(fmt::format("AUC: expected num_labels as a positive integer, received {}", *options.num_labels));
    }
    if (options.label_weights && static_cast<int64_t>(options.label_weights->size()) != *options.num_labels) {
      throw Error(fmt::format("AUC: expected {} label weights (num_labels), received {}", *options.num_labels,
                              options.label_weights->size()));
    }
  }
  return options;
}

}  // namespace

AUC::AUC(AUCOptions options) : Metric(options.name), options_(checked(std::move(options))) {
  const std::vector<double> inner =
      options_.thresholds ? *options_.thresholds : inner_thresholds(options_.num_thresholds);
  std::vector<double> with_ends = {0.0};
  with_ends.insert(with_ends.end(), inner.begin(), inner.end());
  with_ends.push_back(1.0);
  // Keras checks given thresholds, and takes its own as evenly spaced (also the two ends alone).
  evenly_ = options_.thresholds ? evenly_distributed(with_ends) : true;
  with_ends.front() = 0.0 - kEpsilon;
  with_ends.back() = 1.0 + kEpsilon;
  thresholds_ = std::move(with_ends);
  if (!options_.multi_label) {
    build(0);
  } else if (options_.num_labels) {
    build(*options_.num_labels);
  }
}

void AUC::build(int64_t labels) {
  Shape shape = {num_thresholds()};
  if (options_.multi_label) shape.push_back(labels);
  labels_ = labels;
  true_positives_ = add_variable("true_positives", shape);
  false_positives_ = add_variable("false_positives", shape);
  true_negatives_ = add_variable("true_negatives", shape);
  false_negatives_ = add_variable("false_negatives", shape);
  built_ = true;
}

void AUC::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred, const torch::Tensor& sample_weight) {
  const torch::Tensor* label_weights = nullptr;
  if (options_.multi_label) {
    if (y_pred.dim() != 2) {
      throw Error(fmt::format("{}: with multi_label, expected outputs of rank 2 (samples, labels), received shape {}",
                              name(), shape_of(y_pred)));
    }
    if (!built_) {
      if (options_.label_weights && static_cast<int64_t>(options_.label_weights->size()) != y_pred.size(1)) {
        throw Error(fmt::format("{}: expected outputs with one label per label weight ({}), received shape {}", name(),
                                options_.label_weights->size(), shape_of(y_pred)));
      }
      build(y_pred.size(1));
      to(y_pred.device());
    }
    if (y_pred.size(1) != labels_) {
      throw Error(fmt::format("{}: expected outputs with {} labels, as {}, received shape {}", name(), labels_,
                              options_.num_labels ? "num_labels" : "the first batch's", shape_of(y_pred)));
    }
  } else if (options_.label_weights) {
    if (!label_weights_tensor_.defined()) {
      label_weights_tensor_ = torch::tensor(*options_.label_weights, torch::kFloat64);
    }
    if (label_weights_tensor_.device() != y_pred.device())
      label_weights_tensor_ = label_weights_tensor_.to(y_pred.device());
    label_weights = &label_weights_tensor_;
  }
  update_cells(name(),
               {.true_positives = &variable(true_positives_),
                .false_positives = &variable(false_positives_),
                .true_negatives = &variable(true_negatives_),
                .false_negatives = &variable(false_negatives_)},
               y_true, options_.from_logits ? torch::sigmoid(y_pred) : y_pred, sample_weight,
               {.thresholds = &thresholds_,
                .evenly = evenly_,
                .cache = &thresholds_tensor_,
                .multi_label = options_.multi_label,
                .label_weights = label_weights});
}

torch::Tensor AUC::average_over_labels(const torch::Tensor& by_threshold) const {
  if (!options_.multi_label) return by_threshold.sum();
  const torch::Tensor by_label = by_threshold.sum(0);
  if (!options_.label_weights) return by_label.mean();
  const torch::Tensor weights = torch::tensor(*options_.label_weights, torch::kFloat64).to(by_label.device());
  return divide_no_nan((by_label * weights).sum(), weights.sum());
}

torch::Tensor AUC::interpolate_pr_auc() const {
  const int64_t steps = num_thresholds() - 1;
  const torch::Tensor& tp = variable(true_positives_);
  const torch::Tensor& fn = variable(false_negatives_);
  const auto before = [&](const torch::Tensor& t) { return t.narrow(0, 0, steps); };
  const auto after = [&](const torch::Tensor& t) { return t.narrow(0, 1, steps); };
  const torch::Tensor dtp = before(tp) - after(tp);
  const torch::Tensor p = tp + variable(false_positives_);
  const torch::Tensor dp = before(p) - after(p);
  const torch::Tensor prec_slope = divide_no_nan(dtp, dp.clamp_min(0.0));
  const torch::Tensor intercept = after(tp) - prec_slope * after(p);
  const torch::Tensor safe_p_ratio =
      torch::where(before(p).gt(0).logical_and(after(p).gt(0)), divide_no_nan(before(p), after(p).clamp_min(0.0)),
                   torch::ones_like(after(p)));
  const torch::Tensor pr_auc_increment =
      divide_no_nan(prec_slope * (dtp + intercept * safe_p_ratio.log()), (after(tp) + after(fn)).clamp_min(0.0));
  return average_over_labels(pr_auc_increment);
}

torch::Tensor AUC::result() const {
  if (!built_) return torch::zeros({}, torch::kFloat64);
  if (options_.curve == "PR" && options_.summation_method == "interpolation") return interpolate_pr_auc();
  const torch::Tensor& tp = variable(true_positives_);
  const torch::Tensor& fp = variable(false_positives_);
  const torch::Tensor& tn = variable(true_negatives_);
  const torch::Tensor& fn = variable(false_negatives_);
  const torch::Tensor recall = divide_no_nan(tp, tp + fn);
  torch::Tensor x;
  torch::Tensor y;
  if (options_.curve == "ROC") {
    x = divide_no_nan(fp, fp + tn);
    y = recall;
  } else if (options_.curve == "PR") {
    x = recall;
    y = divide_no_nan(tp, tp + fp);
  } else {
    // PRGAIN: no true positives gives a recall gain of 0 and a precision gain of 1, and a
    // negative recall gain counts as 0, as Keras.
    const torch::Tensor scaling_factor = divide_no_nan(tp + fn, tn + fp);
    const torch::Tensor no_tp = tp == 0;
    x = torch::where(no_tp, torch::zeros_like(tp), 1.0 - scaling_factor * divide_no_nan(fn, tp)).clamp_min(0.0);
    y = torch::where(no_tp, torch::ones_like(tp), 1.0 - scaling_factor * divide_no_nan(fp, tp));
  }
  const int64_t steps = num_thresholds() - 1;
  const torch::Tensor y_before = y.narrow(0, 0, steps);
  const torch::Tensor y_after = y.narrow(0, 1, steps);
  torch::Tensor heights;
  if (options_.summation_method == "interpolation") {
    heights = (y_before + y_after) / 2.0;
  } else if (options_.summation_method == "minoring") {
    heights = torch::minimum(y_before, y_after);
  } else {
    heights = torch::maximum(y_before, y_after);
  }
  return average_over_labels((x.narrow(0, 0, steps) - x.narrow(0, 1, steps)) * heights);
}

Config AUC::config_options() const {
  Config config = {{"num_thresholds", options_.num_thresholds},
                   {"curve", options_.curve},
                   {"summation_method", options_.summation_method},
                   {"multi_label", options_.multi_label},
                   {"num_labels", optional_config(options_.num_labels)},
                   {"label_weights", options_.label_weights ? Config(*options_.label_weights) : Config(nullptr)},
                   {"from_logits", options_.from_logits}};
  if (options_.thresholds) config["thresholds"] = *options_.thresholds;
  return config;
}

// SensitivitySpecificityBase and its four metrics.

SensitivitySpecificityBase::SensitivitySpecificityBase(double value, const char* value_name, int64_t num_thresholds,
                                                       std::optional<int64_t> class_id, std::string name,
                                                       const char* class_name)
    : Metric(std::move(name)),
      value_(value),
      value_name_(value_name),
      num_thresholds_(num_thresholds),
      class_id_(class_id) {
  if (!(value >= 0.0 && value <= 1.0)) {
    throw Error(fmt::format("{}: expected {} in [0, 1], received {}", class_name, value_name, value));
  }
  if (num_thresholds <= 0) {
    throw Error(fmt::format("{}: expected num_thresholds as an integer > 0, received {}", class_name, num_thresholds));
  }
  check_class_id(class_name, class_id);
  if (num_thresholds == 1) {
    thresholds_ = {0.5};
  } else {
    thresholds_ = {0.0};
    const std::vector<double> inner = inner_thresholds(num_thresholds);
    thresholds_.insert(thresholds_.end(), inner.begin(), inner.end());
    thresholds_.push_back(1.0);
    evenly_ = true;
  }
  const Shape shape = {static_cast<int64_t>(thresholds_.size())};
  true_positives_ = add_variable("true_positives", shape);
  false_positives_ = add_variable("false_positives", shape);
  true_negatives_ = add_variable("true_negatives", shape);
  false_negatives_ = add_variable("false_negatives", shape);
}

void SensitivitySpecificityBase::update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                                              const torch::Tensor& sample_weight) {
  update_cells(name(),
               {.true_positives = &variable(true_positives_),
                .false_positives = &variable(false_positives_),
                .true_negatives = &variable(true_negatives_),
                .false_negatives = &variable(false_negatives_)},
               y_true, y_pred, sample_weight,
               {.thresholds = &thresholds_, .evenly = evenly_, .cache = &thresholds_tensor_, .class_id = class_id_});
}

Config SensitivitySpecificityBase::config_options() const {
  return {{"class_id", optional_config(class_id_)}, {"num_thresholds", num_thresholds_}, {value_name_, value_}};
}

torch::Tensor SensitivitySpecificityBase::max_under_constraint(const torch::Tensor& constrained,
                                                               const torch::Tensor& dependent) const {
  return torch::where(constrained >= value_, dependent, torch::zeros_like(dependent)).max().clamp_min(0.0);
}

torch::Tensor SensitivitySpecificityBase::recalls() const {
  const torch::Tensor& tp = variable(true_positives_);
  return divide_no_nan(tp, tp + variable(false_negatives_));
}

torch::Tensor SensitivitySpecificityBase::specificities() const {
  const torch::Tensor& tn = variable(true_negatives_);
  return divide_no_nan(tn, tn + variable(false_positives_));
}

torch::Tensor SensitivitySpecificityBase::precisions() const {
  const torch::Tensor& tp = variable(true_positives_);
  return divide_no_nan(tp, tp + variable(false_positives_));
}

SensitivityAtSpecificity::SensitivityAtSpecificity(double specificity, SensitivityAtSpecificityOptions options)
    : SensitivitySpecificityBase(specificity, "specificity", options.num_thresholds, options.class_id,
                                 std::move(options.name), "SensitivityAtSpecificity") {}

torch::Tensor SensitivityAtSpecificity::result() const { return max_under_constraint(specificities(), recalls()); }

SpecificityAtSensitivity::SpecificityAtSensitivity(double sensitivity, SpecificityAtSensitivityOptions options)
    : SensitivitySpecificityBase(sensitivity, "sensitivity", options.num_thresholds, options.class_id,
                                 std::move(options.name), "SpecificityAtSensitivity") {}

torch::Tensor SpecificityAtSensitivity::result() const { return max_under_constraint(recalls(), specificities()); }

PrecisionAtRecall::PrecisionAtRecall(double recall, PrecisionAtRecallOptions options)
    : SensitivitySpecificityBase(recall, "recall", options.num_thresholds, options.class_id, std::move(options.name),
                                 "PrecisionAtRecall") {}

torch::Tensor PrecisionAtRecall::result() const { return max_under_constraint(recalls(), precisions()); }

RecallAtPrecision::RecallAtPrecision(double precision, RecallAtPrecisionOptions options)
    : SensitivitySpecificityBase(precision, "precision", options.num_thresholds, options.class_id,
                                 std::move(options.name), "RecallAtPrecision") {}

torch::Tensor RecallAtPrecision::result() const { return max_under_constraint(precisions(), recalls()); }

// Registration, with Keras's snake-case names.

namespace {

using registry::MetricClass;
using registry::OptionsReader;

template <typename M, typename Options>
MetricClass count_class(const char* class_name, const char* name) {
  return {.class_name = class_name, .name = name, .aliases = {}, .from_config = [class_name](const Config& config) {
            OptionsReader read(config, class_name);
            Options options{.thresholds = read.numbers("thresholds")};
            read.done();
            return std::shared_ptr<Metric>(std::make_shared<M>(std::move(options)));
          }};
}

template <typename M, typename Options>
MetricClass precision_recall_class(const char* class_name, const char* name) {
  return {.class_name = class_name, .name = name, .aliases = {}, .from_config = [class_name](const Config& config) {
            OptionsReader read(config, class_name);
            Options options{.thresholds = read.numbers("thresholds"),
                            .top_k = read.optional_integer("top_k"),
                            .class_id = read.optional_integer("class_id")};
            read.done();
            return std::shared_ptr<Metric>(std::make_shared<M>(std::move(options)));
          }};
}

// A SensitivitySpecificityBase class: its value under `value_name` is required, as in Keras.
template <typename M, typename Options>
MetricClass rate_class(const char* class_name, const char* name, const char* value_name) {
  return {.class_name = class_name,
          .name = name,
          .aliases = {},
          .from_config = [class_name, value_name](const Config& config) {
            OptionsReader read(config, class_name);
            const std::optional<double> value = read.optional_number(value_name);
            if (!value) {
              throw Error(fmt::format("{}: expected {} as a number in [0, 1], received none", class_name, value_name));
            }
            Options options{.num_thresholds = read.integer("num_thresholds", 200),
                            .class_id = read.optional_integer("class_id")};
            read.done();
            return std::shared_ptr<Metric>(std::make_shared<M>(*value, std::move(options)));
          }};
}

const registry::Registrar true_positives_registration(
    count_class<TruePositives, TruePositivesOptions>("TruePositives", "true_positives"));
const registry::Registrar false_positives_registration(
    count_class<FalsePositives, FalsePositivesOptions>("FalsePositives", "false_positives"));
const registry::Registrar true_negatives_registration(
    count_class<TrueNegatives, TrueNegativesOptions>("TrueNegatives", "true_negatives"));
const registry::Registrar false_negatives_registration(
    count_class<FalseNegatives, FalseNegativesOptions>("FalseNegatives", "false_negatives"));

const registry::Registrar precision_registration(precision_recall_class<Precision, PrecisionOptions>("Precision",
                                                                                                     "precision"));
const registry::Registrar recall_registration(precision_recall_class<Recall, RecallOptions>("Recall", "recall"));

std::shared_ptr<Metric> auc_from_config(const Config& config) {
  OptionsReader read(config, "AUC");
  AUCOptions options{.num_thresholds = read.integer("num_thresholds", 200),
                     .curve = read.string("curve", "ROC"),
                     .summation_method = read.string("summation_method", "interpolation"),
                     .thresholds = read.numbers("thresholds"),
                     .multi_label = read.boolean("multi_label", false),
                     .num_labels = read.optional_integer("num_labels"),
                     .label_weights = read.numbers("label_weights"),
                     .from_logits = read.boolean("from_logits", false)};
  read.done();
  return std::make_shared<AUC>(std::move(options));
}

const registry::Registrar auc_registration(
    {.class_name = "AUC", .name = "auc", .aliases = {}, .from_config = auc_from_config});

const registry::Registrar precision_at_recall_registration(
    rate_class<PrecisionAtRecall, PrecisionAtRecallOptions>("PrecisionAtRecall", "precision_at_recall", "recall"));
const registry::Registrar recall_at_precision_registration(
    rate_class<RecallAtPrecision, RecallAtPrecisionOptions>("RecallAtPrecision", "recall_at_precision", "precision"));
const registry::Registrar sensitivity_at_specificity_registration(
    rate_class<SensitivityAtSpecificity, SensitivityAtSpecificityOptions>("SensitivityAtSpecificity",
                                                                          "sensitivity_at_specificity", "specificity"));
const registry::Registrar specificity_at_sensitivity_registration(
    rate_class<SpecificityAtSensitivity, SpecificityAtSensitivityOptions>("SpecificityAtSensitivity",
                                                                          "specificity_at_sensitivity", "sensitivity"));

}  // namespace
}  // namespace tkeras::metrics
