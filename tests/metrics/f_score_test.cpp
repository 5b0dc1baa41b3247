// Tests for tkeras/metrics/f_score.h: Keras's F-beta and F1 values per class and averaged, sample
// weights, thresholds, the lazily added variables, reset, config and option errors.
#include "tkeras/metrics/f_score.h"

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

namespace {

// The values of `scores` (a vector, or a scalar as one value), each against `expected`.
void check_f_scores(const torch::Tensor& scores, const std::vector<double>& expected) {
  CHECK((scores.scalar_type() == torch::kFloat64));
  const torch::Tensor flat = scores.reshape({-1});
  REQUIRE(flat.numel() == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(flat[static_cast<int64_t>(i)].item<double>() == doctest::Approx(expected[i]).epsilon(1e-5));
  }
}

// Keras's f_score_metrics_test data: one-hot targets of 3 classes and softmax-like outputs.
torch::Tensor f_score_targets() {
  return torch::tensor({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {1, 0, 0}, {0, 0, 1}}, torch::kFloat32);
}

torch::Tensor f_score_outputs() {
  return torch::tensor({{0.9f, 0.1f, 0.0f},
                        {0.2f, 0.6f, 0.2f},
                        {0.0f, 0.0f, 1.0f},
                        {0.4f, 0.3f, 0.3f},
                        {0.0f, 0.9f, 0.1f},
                        {0.0f, 0.0f, 1.0f}});
}

}  // namespace

TEST_CASE("F1Score and FBetaScore with a threshold give Keras's per-class scores") {
  // Keras's docstring example: above 0.5, class 0 has 1 true positive and 2 false negatives,
  // class 1 2 true positives and 1 false positive, class 2 1 of each.
  const torch::Tensor y_true = torch::tensor({{1, 1, 1}, {1, 0, 0}, {1, 1, 0}}, torch::kInt32);
  const torch::Tensor y_pred = torch::tensor({{0.2f, 0.6f, 0.7f}, {0.2f, 0.6f, 0.6f}, {0.6f, 0.8f, 0.0f}});
  metrics::F1Score f1({.threshold = 0.5});
  f1.update_state(y_true, y_pred);
  check_f_scores(f1.result(), {0.5, 0.8, 2.0 / 3.0});
  CHECK(f1.result().sizes().vec() == std::vector<int64_t>{3});
  metrics::FBetaScore f2({.beta = 2.0, .threshold = 0.5});
  f2.update_state(y_true, y_pred);
  check_f_scores(f2.result(), {0.3846154, 0.90909094, 0.8333334});
}

TEST_CASE("without a threshold each row's largest output is the prediction, and each average is Keras's") {
  struct Case {
    std::optional<std::string> average;
    double beta;
    std::vector<double> expected;
  };
  // Keras's test_fbeta_random_score_none.
  const std::vector<Case> cases = {
      {std::nullopt, 0.5, {0.9090904, 0.555556, 1.0}},
      {std::nullopt, 1.0, {0.8, 0.6666667, 1.0}},
      {std::nullopt, 2.0, {0.71428573, 0.833334, 1.0}},
      {"micro", 0.5, {0.833334}},
      {"micro", 2.0, {0.833334}},
      {"macro", 0.5, {0.821549}},
      {"macro", 1.0, {0.822222}},
      {"macro", 2.0, {0.849206}},
      {"weighted", 0.5, {0.880471}},
      {"weighted", 1.0, {0.844445}},
      {"weighted", 2.0, {0.829365}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.average.value_or("none"));
    CAPTURE(c.beta);
    metrics::FBetaScore score({.average = c.average, .beta = c.beta});
    score.update_state(f_score_targets(), f_score_outputs());
    check_f_scores(score.result(), c.expected);
    CHECK(score.result().dim() == (c.average ? 0 : 1));
  }
}

TEST_CASE("sample weights scale each row's counts, as Keras's") {
  const torch::Tensor weights = torch::tensor({0.5f, 1.0f, 1.0f, 1.0f, 0.5f, 1.0f});
  struct Case {
    std::optional<std::string> average;
    std::vector<double> expected;
  };
  // Keras's test_fbeta_weighted_random_score_none, beta 1.
  const std::vector<Case> cases = {
      {std::nullopt, {0.857143, 0.8, 1.0}}, {"micro", {0.9}}, {"macro", {0.885714}}, {"weighted", {0.902857}}};
  for (const Case& c : cases) {
    CAPTURE(c.average.value_or("none"));
    metrics::F1Score score({.average = c.average});
    score.update_state(f_score_targets(), f_score_outputs(), weights);
    check_f_scores(score.result(), c.expected);
  }
  // Zero weights leave rows out: rows 1 and 4 are class 1's only prediction and true label.
  metrics::F1Score masked;
  masked.update_state(f_score_targets(), f_score_outputs(), torch::tensor({1.0, 0.0, 1.0, 1.0, 0.0, 1.0}));
  check_f_scores(masked.result(), {1.0, 0.0, 1.0});
}

TEST_CASE("a row of zeros predicts no class when there is no threshold") {
  metrics::F1Score score;
  score.update_state(torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}), torch::tensor({{0.0f, 0.0f}, {0.3f, 0.7f}}));
  check_f_scores(score.result(), {0.0, 1.0});
}

TEST_CASE("the counts add over batches into variables made at the first batch, and reset to zero") {
  metrics::F1Score score({.average = "macro"});
  CHECK(score.variables().empty());
  check_f_scores(score.result(), {0.0});
  score.reset_state();  // before any update: nothing to reset, and no error
  const torch::Tensor y_true = f_score_targets();
  const torch::Tensor y_pred = f_score_outputs();
  score.update_state(y_true.slice(0, 0, 3), y_pred.slice(0, 0, 3));
  score.update_state(y_true.slice(0, 3), y_pred.slice(0, 3));
  check_f_scores(score.result(), {0.822222});
  CHECK(score.variable_names() ==
        std::vector<std::string>{"true_positives", "false_positives", "false_negatives", "intermediate_weights"});
  CHECK(score.variables()[0].sizes().vec() == std::vector<int64_t>{3});
  CHECK((score.variables()[0].scalar_type() == torch::kFloat64));
  // True labels per class: 3, 1 and 2.
  CHECK(torch::equal(score.variables()[3], torch::tensor({3.0, 1.0, 2.0}, torch::kFloat64)));
  score.reset_state();
  for (const torch::Tensor& v : score.variables()) CHECK(v.abs().sum().item<double>() == 0.0);
  check_f_scores(score.result(), {0.0});
}

TEST_CASE("micro averaging keeps scalar counts, and no average gives an empty result before any update") {
  metrics::FBetaScore micro({.average = "micro"});
  micro.update_state(f_score_targets(), f_score_outputs());
  CHECK(micro.variables()[0].dim() == 0);
  CHECK(micro.variables()[0].item<double>() == 5.0);  // five rows predicted right
  CHECK(metrics::F1Score().result().sizes().vec() == std::vector<int64_t>{0});
}

TEST_CASE("the scores' configs are Keras's and come back through serialize and deserialize") {
  const metrics::FBetaScore score({.average = "weighted", .beta = 0.5, .threshold = 0.3, .name = "fb"});
  const tkeras::Config config = score.get_config();
  CHECK(
      config ==
      tkeras::Config{{"name", "fb"}, {"dtype", "float32"}, {"average", "weighted"}, {"beta", 0.5}, {"threshold", 0.3}});
  const std::shared_ptr<metrics::Metric> back = metrics::deserialize(metrics::serialize(score));
  CHECK(back->class_name() == "FBetaScore");
  CHECK(back->get_config() == config);

  const metrics::F1Score f1;
  CHECK(f1.name() == "f1_score");
  CHECK(f1.config_options() == tkeras::Config{{"average", nullptr}, {"threshold", nullptr}});
  const std::shared_ptr<metrics::Metric> f1_back = metrics::deserialize(metrics::serialize(f1));
  CHECK(f1_back->class_name() == "F1Score");
  CHECK(f1_back->get_config() == f1.get_config());
  CHECK(metrics::FBetaScore().name() == "fbeta_score");
}

TEST_CASE("compile's names make the scores") {
  CHECK(metrics::get("f1_score")->class_name() == "F1Score");
  CHECK(metrics::get("F1Score")->class_name() == "F1Score");
  CHECK(metrics::get("f_beta_score")->class_name() == "FBetaScore");
  CHECK(metrics::get("f_beta_score")->name() == "f_beta_score");
}

TEST_CASE("bad options are refused as Keras refuses them") {
  CHECK_THROWS_WITH_AS(metrics::FBetaScore({.average = "mean"}),
                       "FBetaScore: expected average none, \"micro\", \"macro\" or \"weighted\", received \"mean\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::FBetaScore({.beta = 0.0}), doctest::Contains("expected beta above 0, received 0"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::FBetaScore({.beta = -0.5}), doctest::Contains("received -0.5"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::F1Score({.threshold = 1.1}),
                       "F1Score: expected a threshold in (0, 1] or none, received 1.1", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::F1Score({.threshold = 0.0}), doctest::Contains("received 0"), tkeras::Error);
  CHECK_NOTHROW(metrics::F1Score({.threshold = 1.0}));
  // F1Score has no beta to read back.
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "F1Score"}, {"config", {{"beta", 2.0}}}}),
                       doctest::Contains("F1Score: the option beta=2.0 is not one of Keras's"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "FBetaScore"}, {"config", {{"average", 1}}}}),
                       doctest::Contains("expected average as a string"), tkeras::Error);
}

TEST_CASE("targets and outputs must be [batch_size, classes] with the first batch's classes") {
  metrics::F1Score score;
  CHECK_THROWS_WITH_AS(score.update_state(torch::zeros({2, 3, 4}), torch::zeros({2, 3, 4})),
                       "F1Score \"f1_score\": expected targets and outputs of one shape [batch_size, classes], "
                       "received y_true of shape [2, 3, 4] and y_pred of shape [2, 3, 4]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(score.update_state(torch::zeros({2}), torch::zeros({2, 3})),
                       doctest::Contains("received y_true of shape [2] and y_pred of shape [2, 3]"), tkeras::Error);
  score.update_state(torch::zeros({2, 3}), torch::ones({2, 3}));
  CHECK_THROWS_WITH_AS(score.update_state(torch::zeros({2, 4}), torch::ones({2, 4})),
                       "F1Score \"f1_score\": expected outputs of 3 classes, as in the first batch, received y_pred of "
                       "shape [2, 4]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(score.update_state(torch::zeros({2, 3}), torch::ones({2, 3}), torch::ones({3})),
                       doctest::Contains("expected one sample weight per row, shape [2], received shape [3]"),
                       tkeras::Error);
}
