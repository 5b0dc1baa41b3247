// Tests for tkeras/metrics/confusion.h: Keras's counts, precision, recall, AUC and the rates at a
// fixed rate, with thresholds, sample weights, top_k, class_id, multi-label AUC and configs.
// Expected values are Keras 3.15's (its confusion_metrics_test.py, or Keras run on the same data).
#include "tkeras/metrics/confusion.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

namespace {

// The values of a 1-D result.
std::vector<double> values(const torch::Tensor& result) {
  REQUIRE(result.dim() == 1);
  const torch::Tensor flat = result.to(torch::kFloat64).contiguous();
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

void check_values(const torch::Tensor& result, const std::vector<double>& expected) {
  const std::vector<double> received = values(result);
  REQUIRE(received.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(received[i] == doctest::Approx(expected[i]));
  }
}

// A scalar result.
double scalar(const torch::Tensor& result) {
  REQUIRE(result.dim() == 0);
  CHECK((result.scalar_type() == torch::kFloat64));
  return result.item<double>();
}

// Keras's confusion_metrics_test.py data: 4 samples of 5 values, predictions 0 or 1.
torch::Tensor binary_targets() {
  return torch::tensor(
      {{0.f, 1.f, 0.f, 1.f, 0.f}, {0.f, 0.f, 1.f, 1.f, 1.f}, {1.f, 1.f, 1.f, 1.f, 0.f}, {0.f, 0.f, 0.f, 0.f, 1.f}});
}
torch::Tensor binary_outputs() {
  return torch::tensor(
      {{0.f, 0.f, 1.f, 1.f, 0.f}, {1.f, 1.f, 1.f, 1.f, 1.f}, {0.f, 1.f, 0.f, 1.f, 0.f}, {1.f, 1.f, 1.f, 1.f, 1.f}});
}

// Keras's data for thresholds: 4 samples of 4 probabilities.
torch::Tensor targets() {
  return torch::tensor({{0.f, 1.f, 1.f, 0.f}, {1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}, {1.f, 1.f, 1.f, 1.f}});
}
torch::Tensor outputs() {
  return torch::tensor(
      {{0.9f, 0.2f, 0.8f, 0.1f}, {0.2f, 0.9f, 0.7f, 0.6f}, {0.1f, 0.2f, 0.4f, 0.3f}, {0.0f, 1.0f, 0.7f, 0.3f}});
}
const std::vector<double> kThresholds = {0.15, 0.5, 0.85};

// Keras's AUC data: 4 predictions with weights 1 to 4 (tp = [7, 4, 0], fp = [3, 0, 0] over 3
// thresholds), and the same as 2 labels.
torch::Tensor auc_targets() { return torch::tensor({0.f, 0.f, 1.f, 1.f}); }
torch::Tensor auc_outputs() { return torch::tensor({0.0f, 0.5f, 0.3f, 0.9f}); }
torch::Tensor auc_weights() { return torch::tensor({1.f, 2.f, 3.f, 4.f}); }
torch::Tensor label_targets() { return torch::tensor({{0.f, 0.f}, {0.f, 0.f}, {1.f, 1.f}, {1.f, 1.f}}); }
torch::Tensor label_targets_bad() { return torch::tensor({{0.f, 1.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 0.f}}); }
torch::Tensor label_outputs() { return torch::tensor({{0.0f, 0.1f}, {0.5f, 0.2f}, {0.3f, 0.3f}, {0.9f, 0.4f}}); }

// The result after one update.
template <typename M>
torch::Tensor after(M metric, const torch::Tensor& y_true, const torch::Tensor& y_pred,
                    const torch::Tensor& sample_weight = {}) {
  metric.update_state(y_true, y_pred, sample_weight);
  return metric.result();
}

}  // namespace

TEST_CASE("the four counts count their cell of the confusion matrix at the default threshold 0.5") {
  CHECK(scalar(after(metrics::TruePositives(), binary_targets(), binary_outputs())) == 7.0);
  CHECK(scalar(after(metrics::FalsePositives(), binary_targets(), binary_outputs())) == 7.0);
  CHECK(scalar(after(metrics::TrueNegatives(), binary_targets(), binary_outputs())) == 3.0);
  CHECK(scalar(after(metrics::FalseNegatives(), binary_targets(), binary_outputs())) == 3.0);
  SUBCASE("weighted by sample") {
    const torch::Tensor w = torch::tensor({1.0, 1.5, 2.0, 2.5});
    CHECK(scalar(after(metrics::TruePositives(), binary_targets(), binary_outputs(), w)) == 12.0);
    CHECK(scalar(after(metrics::FalsePositives(), binary_targets(), binary_outputs(), w)) == 14.0);
    CHECK(scalar(after(metrics::TrueNegatives(), binary_targets(), binary_outputs(), w)) == 4.0);
    CHECK(scalar(after(metrics::FalseNegatives(), binary_targets(), binary_outputs(), w)) == 5.0);
  }
}

TEST_CASE("a list of thresholds gives one count per threshold, and a single threshold a scalar") {
  check_values(after(metrics::TruePositives({.thresholds = kThresholds}), targets(), outputs()), {6, 3, 1});
  check_values(after(metrics::FalsePositives({.thresholds = kThresholds}), targets(), outputs()), {7, 4, 2});
  check_values(after(metrics::TrueNegatives({.thresholds = kThresholds}), targets(), outputs()), {2, 5, 7});
  check_values(after(metrics::FalseNegatives({.thresholds = kThresholds}), targets(), outputs()), {1, 4, 6});
  // One threshold, given as a list of one, is a scalar as in Keras; 0.85 counts the 0.9s and the 1.
  CHECK(scalar(after(metrics::TruePositives({.thresholds = {{0.85}}}), targets(), outputs())) == 1.0);
}

TEST_CASE("sample weights weigh each sample's values, or broadcast over the outputs as Keras's do") {
  const torch::Tensor per_sample = torch::tensor({1.0, 2.0, 0.5, 3.0});
  check_values(after(metrics::TruePositives({.thresholds = kThresholds}), targets(), outputs(), per_sample),
               {13, 7, 3});
  check_values(after(metrics::FalsePositives({.thresholds = kThresholds}), targets(), outputs(), per_sample),
               {8.5, 7, 3});
  check_values(after(metrics::TrueNegatives({.thresholds = kThresholds}), targets(), outputs(), per_sample),
               {1.5, 3, 7});
  check_values(after(metrics::FalseNegatives({.thresholds = kThresholds}), targets(), outputs(), per_sample),
               {3, 9, 13});
  SUBCASE("a column, a row, one number, or one weight per value") {
    check_values(after(metrics::TruePositives({.thresholds = kThresholds}), targets(), outputs(),
                       torch::tensor({{3.0}, {5.0}, {7.0}, {4.0}})),
                 {23, 11, 4});
    check_values(after(metrics::TrueNegatives({.thresholds = kThresholds}), targets(), outputs(),
                       torch::tensor({{0.0, 2.0, 3.0, 5.0}})),
                 {5, 15, 23});
    check_values(after(metrics::TruePositives({.thresholds = kThresholds}), targets(), outputs(), torch::tensor(37.0)),
                 {222, 111, 37});
    const torch::Tensor each = torch::tensor(
        {{1.0, 2.0, 3.0, 5.0}, {7.0, 11.0, 13.0, 17.0}, {19.0, 23.0, 29.0, 31.0}, {5.0, 15.0, 10.0, 0.0}});
    check_values(after(metrics::FalsePositives({.thresholds = kThresholds}), targets(), outputs(), each),
                 {125, 42, 12});
  }
  SUBCASE("weights that do not fit the outputs are refused") {
    metrics::TruePositives tp;
    CHECK_THROWS_WITH_AS(tp.update_state(targets(), outputs(), torch::ones({3})),
                         doctest::Contains("true_positives: expected sample weights of shape [4] or broadcastable to "
                                           "the outputs' shape [4, 4], received [3]"),
                         tkeras::Error);
  }
}

TEST_CASE("evenly spaced thresholds count as any others do (Keras's bucketed path)") {
  const std::vector<double> even = {0.0, 0.5, 1.0};
  check_values(after(metrics::TruePositives({.thresholds = even}), targets(), outputs()), {6, 3, 0});
  check_values(after(metrics::FalsePositives({.thresholds = even}), targets(), outputs()), {9, 4, 0});
  check_values(after(metrics::TrueNegatives({.thresholds = even}), targets(), outputs()), {0, 5, 9});
  check_values(after(metrics::FalseNegatives({.thresholds = even}), targets(), outputs()), {1, 4, 7});
  // The same thresholds but the last, which the prediction of 1 exceeds only when it is 0.99.
  check_values(after(metrics::Precision({.thresholds = std::vector{0.0, 0.25, 0.5, 0.75, 1.0}}), targets(), outputs()),
               {0.4, 0.4, 3.0 / 7, 0.5, 0.0});
  check_values(after(metrics::Precision({.thresholds = std::vector{0.0, 0.25, 0.5, 0.75, 0.99}}), targets(), outputs()),
               {0.4, 0.4, 3.0 / 7, 0.5, 1.0});
}

TEST_CASE("targets count as positive where they are not 0, whatever their type") {
  const torch::Tensor as_bool = binary_targets().to(torch::kBool);
  const torch::Tensor as_int = binary_targets().to(torch::kInt32);
  CHECK(scalar(after(metrics::TruePositives(), as_bool, binary_outputs())) == 7.0);
  CHECK(scalar(after(metrics::FalseNegatives(), as_int, binary_outputs())) == 3.0);
}

TEST_CASE("Precision divides the true positives by the predicted positives, and is 0 before any") {
  const torch::Tensor y_true = torch::tensor({0.f, 1.f, 1.f, 0.f});
  CHECK(scalar(after(metrics::Precision(), y_true, torch::tensor({1.f, 0.f, 1.f, 0.f}))) == doctest::Approx(0.5));
  CHECK(scalar(after(metrics::Precision(), torch::zeros({4}), torch::zeros({4}))) == 0.0);
  CHECK(scalar(metrics::Precision().result()) == 0.0);
  check_values(
      after(metrics::Precision({.thresholds = std::vector{0.5, 0.7}}), y_true, torch::tensor({1.f, 0.f, 0.6f, 0.f})),
      {0.5, 0.0});
  SUBCASE("weighted, over several updates") {
    metrics::Precision precision({.thresholds = std::vector{0.5, 1.0}});
    for (int i = 0; i < 2; ++i) {
      precision.update_state(torch::tensor({{0.f, 1.f}, {1.f, 0.f}}), torch::tensor({{1.f, 0.f}, {0.6f, 0.f}}),
                             torch::tensor({{4.f, 0.f}, {3.f, 1.f}}));
    }
    check_values(precision.result(), {6.0 / 14.0, 0.0});
  }
}

TEST_CASE("Recall divides the true positives by the actual positives, and is 0 before any") {
  const torch::Tensor y_true = torch::tensor({0.f, 1.f, 1.f, 0.f});
  CHECK(scalar(after(metrics::Recall(), y_true, torch::tensor({1.f, 0.f, 1.f, 0.f}))) == doctest::Approx(0.5));
  CHECK(scalar(after(metrics::Recall(), torch::zeros({4}), torch::zeros({4}))) == 0.0);
  const torch::Tensor weighted = after(metrics::Recall(), torch::tensor({{0.f, 1.f, 1.f, 0.f}, {1.f, 0.f, 0.f, 1.f}}),
                                       torch::tensor({{1.f, 0.f, 1.f, 0.f}, {0.f, 1.f, 0.f, 1.f}}),
                                       torch::tensor({{1.f, 2.f, 3.f, 4.f}, {4.f, 3.f, 2.f, 1.f}}));
  CHECK(scalar(weighted) == doctest::Approx(4.0 / 10.0));
}

TEST_CASE("top_k counts only the k largest predictions of each row as positive") {
  CHECK(scalar(after(metrics::Precision({.top_k = 2}), targets(), outputs())) == doctest::Approx(0.375));
  // With a threshold too: a prediction must be among the top 2 and above 0.75.
  CHECK(scalar(after(metrics::Recall({.thresholds = {{0.75}}, .top_k = 2}), targets(), outputs())) ==
        doctest::Approx(2.0 / 7.0));
  // One row of outputs: the top 3 of all five.
  CHECK(scalar(after(metrics::Precision({.top_k = 3}), torch::tensor({0.f, 1.f, 1.f, 0.f, 0.f}),
                     torch::tensor({0.2f, 0.1f, 0.5f, 0.0f, 0.2f}))) == doctest::Approx(1.0 / 3.0));
  CHECK(metrics::Precision({.top_k = 2}).thresholds() == std::vector<double>{-1e10});
  metrics::Precision too_many({.top_k = 5});
  CHECK_THROWS_WITH_AS(
      too_many.update_state(targets(), outputs()),
      "precision: expected outputs with at least top_k=5 values on the last axis, received shape [4, 4]",
      tkeras::Error);
}

TEST_CASE("class_id reads one class of the targets and the outputs") {
  CHECK(scalar(after(metrics::Precision({.class_id = 1}), targets(), outputs())) == doctest::Approx(0.5));
  CHECK(scalar(after(metrics::Recall({.class_id = 2}), targets(), outputs(), torch::tensor({1.0, 2.0, 0.5, 3.0}))) ==
        doctest::Approx(1.0));
  // Keras's multi-class example: one prediction of class 1 above 0.5, and right.
  const torch::Tensor y_pred = torch::tensor(
      {{0.1f, 0.2f, 0.7f}, {0.5f, 0.3f, 0.2f}, {0.2f, 0.6f, 0.2f}, {0.7f, 0.2f, 0.1f}, {0.1f, 0.1f, 0.8f}});
  const torch::Tensor y_true =
      torch::tensor({{0.f, 0.f, 1.f}, {1.f, 0.f, 0.f}, {0.f, 1.f, 0.f}, {1.f, 0.f, 0.f}, {0.f, 0.f, 1.f}});
  metrics::Precision precision({.class_id = 1});
  precision.update_state(y_true, y_pred);
  CHECK(scalar(precision.result()) == 1.0);
  CHECK(precision.variables()[0].item<double>() == 1.0);
  CHECK(precision.variables()[1].item<double>() == 0.0);
  SUBCASE("outputs without a class axis, or too few classes, are refused") {
    metrics::Recall recall({.class_id = 2});
    CHECK_THROWS_WITH_AS(recall.update_state(torch::tensor({0.f, 1.f, 1.f}), torch::tensor({0.2f, 0.1f, 0.6f})),
                         "recall: with class_id, expected outputs of shape (num_samples, num_classes), received [3]",
                         tkeras::Error);
    CHECK_THROWS_WITH_AS(recall.update_state(torch::zeros({3, 2}), torch::zeros({3, 2})),
                         doctest::Contains("expected class_id below the 2 classes"), tkeras::Error);
  }
}

TEST_CASE("AUC sums the ROC curve by interpolation, minoring or majoring") {
  // tp = [7, 4, 0], fp = [3, 0, 0], fn = [0, 3, 7], tn = [0, 3, 3]: recall [1, 4/7, 0] over
  // false-positive rate [1, 0, 0].
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3}), auc_targets(), auc_outputs(), auc_weights())) ==
        doctest::Approx((1.0 + 4.0 / 7.0) / 2.0));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3, .summation_method = "minoring"}), auc_targets(), auc_outputs(),
                     auc_weights())) == doctest::Approx(4.0 / 7.0));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3, .summation_method = "majoring"}), auc_targets(), auc_outputs(),
                     auc_weights())) == doctest::Approx(1.0));
  // Unweighted: recall [1, 0.5, 0] over [1, 0, 0].
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3}), auc_targets(), auc_outputs())) == doctest::Approx(0.75));
  CHECK(scalar(after(metrics::AUC(), auc_targets(), auc_targets())) == doctest::Approx(1.0));
}

TEST_CASE("AUC sums the PR and PR-gain curves as Keras, PR interpolation after Davis and Goadrich") {
  const auto pr = [](const char* curve, const char* method) {
    return scalar(after(metrics::AUC({.num_thresholds = 3, .curve = curve, .summation_method = method}), auc_targets(),
                        auc_outputs(), auc_weights()));
  };
  // Keras's comment: (0.5 * (3 + 2 * log(2.5)) + 4) / 7.
  CHECK(pr("PR", "interpolation") == doctest::Approx((0.5 * (3.0 + 2.0 * std::log(2.5)) + 4.0) / 7.0));
  CHECK(pr("PR", "minoring") == doctest::Approx(0.7 * 3.0 / 7.0));
  CHECK(pr("PR", "majoring") == doctest::Approx(1.0));
  CHECK(pr("pr", "Majoring") == doctest::Approx(1.0));
  CHECK(pr("PRGAIN", "interpolation") == doctest::Approx(0.5));
  CHECK(pr("PRGAIN", "minoring") == doctest::Approx(0.0));
  CHECK(pr("PRGAIN", "majoring") == doctest::Approx(1.0));
  // Negative weights make every denominator of PR interpolation 0, and the area 0.
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3, .curve = "PR"}), auc_targets(), auc_outputs(),
                     -auc_weights())) == doctest::Approx(0.0));
}

TEST_CASE("AUC's 200 default thresholds give Keras's areas") {
  CHECK(scalar(after(metrics::AUC(), auc_targets(), auc_outputs(), auc_weights())) ==
        doctest::Approx(0.7142857313156128));
  CHECK(scalar(after(metrics::AUC({.curve = "PR"}), auc_targets(), auc_outputs(), auc_weights())) ==
        doctest::Approx(0.884152889251709));
  // Outputs outside [0, 1] are clipped, as in Keras's bucketed path.
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 3}), torch::tensor({0.f, 1.f, 1.f, 0.f}),
                     torch::tensor({-0.5f, 1.5f, 0.7f, 0.2f}))) == doctest::Approx(1.0));
}

TEST_CASE("AUC with thresholds of its own sorts them and adds two ends just outside [0, 1]") {
  metrics::AUC auc({.curve = "PR", .summation_method = "majoring", .thresholds = std::vector{0.5, 0.3}});
  CHECK(auc.num_thresholds() == 4);
  const std::vector<double>& thresholds = auc.thresholds();
  REQUIRE(thresholds.size() == 4);
  CHECK(thresholds[0] == doctest::Approx(-1e-7));
  CHECK(thresholds[1] == 0.3);
  CHECK(thresholds[2] == 0.5);
  CHECK(thresholds[3] == doctest::Approx(1.0 + 1e-7));
  auc.update_state(auc_targets(), auc_outputs());
  CHECK(scalar(auc.result()) == doctest::Approx(0.75));
  CHECK(scalar(after(metrics::AUC({.thresholds = {{0.5}}, .multi_label = true}), label_targets(), label_outputs())) ==
        doctest::Approx(0.625));
}

TEST_CASE("multi-label AUC averages one curve per output unit, weighted by label_weights") {
  metrics::AUC auc({.num_thresholds = 5, .multi_label = true});
  CHECK(auc.variables().empty());  // made at the first update, from the outputs
  auc.update_state(label_targets(), label_outputs());
  CHECK(auc.variables().size() == 4);
  CHECK(auc.variables()[0].sizes().vec() == std::vector<int64_t>{5, 2});
  CHECK(scalar(auc.result()) == doctest::Approx((0.875 + 1.0) / 2.0));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .multi_label = true, .label_weights = std::vector{0.75, 0.25}}),
                     label_targets(), label_outputs())) == doctest::Approx(0.90625));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .curve = "PR", .multi_label = true}), label_targets_bad(),
                     label_outputs())) == doctest::Approx(0.5970896482467651));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .curve = "PR", .multi_label = true}), label_targets(),
                     label_outputs(), auc_weights())) == doctest::Approx(0.9698923826217651));
  SUBCASE("without multi_label, every value is one prediction and label weights weigh the values") {
    CHECK(scalar(after(metrics::AUC({.num_thresholds = 5}), label_targets(), label_outputs())) ==
          doctest::Approx(1.0 - 3.0 / 32.0));
    CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .label_weights = std::vector{0.75, 0.25}}), label_targets(),
                       label_outputs())) == doctest::Approx(0.8828125));
  }
  SUBCASE("num_labels makes the variables at once, and outputs must match it") {
    metrics::AUC sized({.num_thresholds = 5, .multi_label = true, .num_labels = 3});
    CHECK(sized.variables()[0].sizes().vec() == std::vector<int64_t>{5, 3});
    CHECK_THROWS_WITH_AS(sized.update_state(label_targets(), label_outputs()),
                         "auc: expected outputs with 3 labels, as num_labels, received shape [4, 2]", tkeras::Error);
    CHECK_THROWS_WITH_AS(sized.update_state(auc_targets(), auc_outputs()),
                         "auc: with multi_label, expected outputs of rank 2 (samples, labels), received shape [4]",
                         tkeras::Error);
  }
}

TEST_CASE("from_logits passes the outputs through a sigmoid first") {
  const torch::Tensor logits = torch::logit(label_outputs(), 1e-6);
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .multi_label = true, .from_logits = true}), label_targets(),
                     logits)) == doctest::Approx((0.875 + 1.0) / 2.0));
  CHECK(scalar(after(metrics::AUC({.num_thresholds = 5, .from_logits = true}), label_targets(), logits)) ==
        doctest::Approx(1.0 - 3.0 / 32.0));
}

TEST_CASE("the rates at a fixed rate take the best over the thresholds that reach it") {
  const torch::Tensor scores = torch::tensor({0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.01f, 0.02f, 0.25f, 0.26f, 0.26f});
  const torch::Tensor labels = torch::tensor({0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  const torch::Tensor weights = torch::arange(1, 11, torch::kFloat64);
  CHECK(scalar(after(metrics::SensitivityAtSpecificity(0.4), labels, scores)) == doctest::Approx(0.6));
  CHECK(scalar(after(metrics::SensitivityAtSpecificity(0.4), labels, scores, weights)) == doctest::Approx(0.675));
  CHECK(scalar(after(metrics::SpecificityAtSensitivity(0.4), labels, scores)) == doctest::Approx(0.6));
  CHECK(scalar(after(metrics::SpecificityAtSensitivity(1.0), labels, scores)) == doctest::Approx(0.2));
  CHECK(scalar(after(metrics::SpecificityAtSensitivity(0.4), labels, scores, weights)) == doctest::Approx(0.4));
  // One threshold, 0.5, which no score exceeds: no sensitivity.
  CHECK(scalar(after(metrics::SensitivityAtSpecificity(0.4, {.num_thresholds = 1}), labels, scores)) == 0.0);

  const torch::Tensor scores2 = torch::tensor({0.0f, 0.1f, 0.2f, 0.5f, 0.6f, 0.2f, 0.5f, 0.6f, 0.8f, 0.9f});
  CHECK(scalar(after(metrics::PrecisionAtRecall(0.8), labels, scores2)) == doctest::Approx(2.0 / 3.0));
  CHECK(scalar(after(metrics::PrecisionAtRecall(0.6), labels, scores2)) == doctest::Approx(0.75));
  CHECK(scalar(after(metrics::PrecisionAtRecall(7.0 / 8.0), labels, scores2,
                     torch::tensor({2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0}))) == doctest::Approx(0.7));

  const torch::Tensor scores3 =
      torch::tensor({0.05f, 0.1f, 0.2f, 0.3f, 0.3f, 0.35f, 0.4f, 0.45f, 0.5f, 0.6f, 0.9f, 0.95f});
  const torch::Tensor labels3 = torch::tensor({0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1});
  CHECK(scalar(after(metrics::RecallAtPrecision(0.75), labels3, scores3)) == doctest::Approx(0.5));
  CHECK(scalar(after(metrics::RecallAtPrecision(2.0 / 3.0), labels3, scores3)) == doctest::Approx(5.0 / 6.0));
  // The highest precision reachable is 1/2: no recall.
  CHECK(scalar(after(metrics::RecallAtPrecision(2.0 / 3.0), torch::tensor({1, 1, 0, 0}),
                     torch::tensor({0.1f, 0.2f, 0.3f, 0.9f}))) == 0.0);
  SUBCASE("of one class") {
    const torch::Tensor one_hot = torch::one_hot(labels3 * 2, 3).to(torch::kFloat32);
    CHECK(scalar(after(metrics::RecallAtPrecision(2.0 / 3.0, {.class_id = 2}), one_hot,
                       scores3.unsqueeze(1).expand({12, 3}))) == doctest::Approx(5.0 / 6.0));
  }
}

TEST_CASE("variables have Keras's names and shapes") {
  CHECK(metrics::TruePositives({.thresholds = kThresholds}).variable_names() ==
        std::vector<std::string>{"accumulator"});
  CHECK(metrics::TruePositives({.thresholds = kThresholds}).variables()[0].sizes().vec() == std::vector<int64_t>{3});
  CHECK(metrics::Precision().variable_names() == std::vector<std::string>{"true_positives", "false_positives"});
  CHECK(metrics::Recall().variable_names() == std::vector<std::string>{"true_positives", "false_negatives"});
  const std::vector<std::string> four = {"true_positives", "false_positives", "true_negatives", "false_negatives"};
  CHECK(metrics::AUC().variable_names() == four);
  CHECK(metrics::AUC().variables()[0].sizes().vec() == std::vector<int64_t>{200});
  CHECK(metrics::PrecisionAtRecall(0.5, {.num_thresholds = 100}).variable_names() == four);
  CHECK(metrics::PrecisionAtRecall(0.5, {.num_thresholds = 100}).variables()[3].sizes().vec() ==
        std::vector<int64_t>{100});
}

TEST_CASE("reset_state sets every count back to zero") {
  metrics::Precision precision({.thresholds = kThresholds});
  precision.update_state(targets(), outputs());
  precision.reset_state();
  check_values(precision.result(), {0, 0, 0});
  precision.update_state(targets(), outputs());
  check_values(precision.result(), {6.0 / 13.0, 3.0 / 7.0, 1.0 / 3.0});

  metrics::AUC auc({.num_thresholds = 5, .multi_label = true});
  auc.update_state(label_targets(), label_outputs());
  auc.reset_state();
  for (const torch::Tensor& variable : auc.variables()) CHECK(variable.abs().sum().item<double>() == 0.0);
  CHECK(scalar(auc.result()) == 0.0);
}

TEST_CASE("a metric's config makes the same metric again, with Keras's keys") {
  const auto round_trip = [](const metrics::Metric& metric) {
    const std::shared_ptr<metrics::Metric> again = metrics::deserialize(metrics::serialize(metric));
    CHECK(again->class_name() == metric.class_name());
    CHECK(again->get_config() == metric.get_config());
    return again;
  };
  SUBCASE("the counts") {
    const metrics::FalsePositives fp({.thresholds = std::vector{0.4, 0.9}, .name = "my_fp"});
    CHECK(fp.get_config() == tkeras::Config{{"name", "my_fp"}, {"dtype", "float32"}, {"thresholds", {0.4, 0.9}}});
    round_trip(fp);
    CHECK(metrics::TruePositives().get_config()["thresholds"].is_null());
    CHECK(metrics::TrueNegatives({.thresholds = {{0.3}}}).get_config()["thresholds"] == 0.3);
    round_trip(metrics::TrueNegatives({.thresholds = {{0.3}}}));
    round_trip(metrics::FalseNegatives());
  }
  SUBCASE("precision and recall") {
    const metrics::Precision precision(
        {.thresholds = std::vector{0.4, 0.9}, .top_k = 15, .class_id = 12, .name = "my_precision"});
    CHECK(precision.get_config() == tkeras::Config{{"name", "my_precision"},
                                                   {"dtype", "float32"},
                                                   {"thresholds", {0.4, 0.9}},
                                                   {"top_k", 15},
                                                   {"class_id", 12}});
    CHECK(round_trip(precision)->name() == "my_precision");
    round_trip(metrics::Recall({.class_id = 1}));
  }
  SUBCASE("AUC, with its thresholds only when they were given") {
    const metrics::AUC auc({.num_thresholds = 100,
                            .curve = "pr",
                            .summation_method = "majoring",
                            .name = "auc_1",
                            .multi_label = true,
                            .num_labels = 2,
                            .label_weights = std::vector{0.75, 0.25},
                            .from_logits = true});
    CHECK(auc.get_config() == tkeras::Config{{"name", "auc_1"},
                                             {"dtype", "float32"},
                                             {"num_thresholds", 100},
                                             {"curve", "PR"},
                                             {"summation_method", "majoring"},
                                             {"multi_label", true},
                                             {"num_labels", 2},
                                             {"label_weights", {0.75, 0.25}},
                                             {"from_logits", true}});
    round_trip(auc);
    const metrics::AUC given({.thresholds = std::vector{0.5, 0.3}});
    CHECK(given.get_config()["num_thresholds"] == 4);
    CHECK(given.get_config()["thresholds"] == tkeras::Config{0.3, 0.5});
    const std::shared_ptr<metrics::Metric> again = round_trip(given);
    again->update_state(auc_targets(), auc_outputs(), auc_weights());
    CHECK(scalar(again->result()) ==
          doctest::Approx(after(given, auc_targets(), auc_outputs(), auc_weights()).item<double>()));
  }
  SUBCASE("the rates at a fixed rate") {
    const metrics::SensitivityAtSpecificity sas(0.4, {.num_thresholds = 100, .class_id = 12});
    CHECK(sas.get_config() == tkeras::Config{{"name", "sensitivity_at_specificity"},
                                             {"dtype", "float32"},
                                             {"class_id", 12},
                                             {"num_thresholds", 100},
                                             {"specificity", 0.4}});
    round_trip(sas);
    round_trip(metrics::SpecificityAtSensitivity(0.7));
    round_trip(metrics::PrecisionAtRecall(0.8, {.name = "par"}));
    round_trip(metrics::RecallAtPrecision(0.9, {.num_thresholds = 1}));
  }
}

TEST_CASE("compile's names make the confusion metrics by Keras's snake-case names") {
  CHECK(metrics::get("auc")->class_name() == "AUC");
  CHECK(metrics::get("AUC")->class_name() == "AUC");
  CHECK(metrics::get("precision")->class_name() == "Precision");
  CHECK(metrics::get("recall")->name() == "recall");
  CHECK(metrics::get("true_positives")->class_name() == "TruePositives");
  CHECK(metrics::get("false_negatives")->class_name() == "FalseNegatives");
  // The rates at a fixed rate need their value, as Keras's constructors do.
  CHECK_THROWS_WITH_AS(metrics::get("precision_at_recall"),
                       "PrecisionAtRecall: expected recall as a number in [0, 1], received none", tkeras::Error);
  const tkeras::Config config = {{"class_name", "SpecificityAtSensitivity"}, {"config", {{"sensitivity", 0.5}}}};
  CHECK(metrics::deserialize(config)->name() == "specificity_at_sensitivity");
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "Precision"}, {"config", {{"threshold", 0.5}}}}),
                       doctest::Contains("Precision: the option threshold=0.5 is not one of Keras's"), tkeras::Error);
}

TEST_CASE("bad options are refused, naming the class, the option and the value") {
  CHECK_THROWS_WITH_AS(metrics::TruePositives({.thresholds = std::vector{-1.0, 0.5, 2.0}}),
                       "TruePositives: expected thresholds in [0, 1], received -1, 2", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::Precision({.thresholds = {{1.5}}}),
                       "Precision: expected thresholds in [0, 1], received 1.5", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::Recall({.top_k = 0}), "Recall: expected top_k as a positive integer, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::Precision({.class_id = -1}),
                       "Precision: expected class_id as a class index (at least 0), received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::AUC({.num_thresholds = 1}),
                       "AUC: expected num_thresholds as an integer > 1, received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::AUC({.curve = "Invalid"}),
                       "AUC: expected curve \"ROC\", \"PR\" or \"PRGAIN\", received \"Invalid\"", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::AUC({.summation_method = "Invalid"}),
                       doctest::Contains("AUC: expected summation_method \"interpolation\", \"minoring\" or "
                                         "\"majoring\", received \"Invalid\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::AUC({.thresholds = std::vector{0.5, 1.2}}),
                       "AUC: expected thresholds in [0, 1], received 1.2", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::AUC({.num_labels = 2}),
                       "AUC: num_labels is needed only when multi_label is true, received num_labels=2", tkeras::Error);
  CHECK_THROWS_WITH_AS(
      metrics::AUC({.multi_label = true, .num_labels = 2, .label_weights = std::vector{1.0, 2.0, 3.0}}),
      "AUC: expected 2 label weights (num_labels), received 3", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::SensitivityAtSpecificity(-1.0),
                       "SensitivityAtSpecificity: expected specificity in [0, 1], received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::SpecificityAtSensitivity(1.5),
                       "SpecificityAtSensitivity: expected sensitivity in [0, 1], received 1.5", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::PrecisionAtRecall(-0.1), doctest::Contains("expected recall in [0, 1]"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::RecallAtPrecision(0.4, {.num_thresholds = -1}),
                       "RecallAtPrecision: expected num_thresholds as an integer > 0, received -1", tkeras::Error);
}

TEST_CASE("targets of another shape than the outputs are refused") {
  metrics::AUC auc;
  CHECK_THROWS_WITH_AS(auc.update_state(torch::zeros({4}), torch::zeros({4, 3})),
                       "auc: expected targets of the outputs' shape [4, 3], received [4]", tkeras::Error);
  // A trailing axis of 1 on one side is dropped, as Keras does.
  metrics::TruePositives tp;
  tp.update_state(torch::tensor({1.f, 0.f, 1.f}), torch::tensor({{0.9f}, {0.8f}, {0.2f}}));
  CHECK(scalar(tp.result()) == 1.0);
}
