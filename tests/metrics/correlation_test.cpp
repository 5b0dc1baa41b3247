// Tests for tkeras/metrics/correlation.h: Keras's Pearson and concordance values per sample, their
// weighted means over batches (additive total and count), axes, config and errors.
#include "tkeras/metrics/correlation.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

namespace {

// Keras's docstring example: two samples of three values.
torch::Tensor correlation_targets() { return torch::tensor({{0.0, 1.0, 0.5}, {1.0, 1.0, 0.2}}, torch::kFloat64); }

torch::Tensor correlation_outputs() { return torch::tensor({{0.1, 0.9, 0.5}, {1.0, 0.9, 0.2}}, torch::kFloat64); }

// The values Keras gives for them, per sample (float64).
constexpr double kPearsonFirst = 1.0;
constexpr double kPearsonSecond = 0.9933992677987827;
constexpr double kConcordanceFirst = 0.9756093991672931;
constexpr double kConcordanceSecond = 0.987653955189893;

}  // namespace

TEST_CASE("the correlation functions give Keras's value per sample") {
  const torch::Tensor pearson = metrics::pearson_correlation(correlation_targets(), correlation_outputs());
  CHECK(pearson.sizes().vec() == std::vector<int64_t>{2});
  CHECK((pearson.scalar_type() == torch::kFloat64));
  CHECK(pearson[0].item<double>() == doctest::Approx(kPearsonFirst));
  CHECK(pearson[1].item<double>() == doctest::Approx(kPearsonSecond));
  const torch::Tensor concordance = metrics::concordance_correlation(correlation_targets(), correlation_outputs());
  CHECK(concordance[0].item<double>() == doctest::Approx(kConcordanceFirst));
  CHECK(concordance[1].item<double>() == doctest::Approx(kConcordanceSecond));
}

TEST_CASE("concordance is 1 only for outputs equal to the targets: a shift lowers it, unlike Pearson's") {
  // Targets [1, 2, 3], outputs [2, 3, 4]: covariance and variances 2/3, means 1 apart, so
  // 2 * 2/3 / (2/3 + 2/3 + 1) = 4/7; the Pearson correlation is 1.
  const torch::Tensor t = torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64);
  const torch::Tensor p = t + 1.0;
  CHECK(metrics::concordance_correlation(t, p).item<double>() == doctest::Approx(4.0 / 7.0));
  CHECK(metrics::pearson_correlation(t, p).item<double>() == doctest::Approx(1.0));
  CHECK(metrics::concordance_correlation(t, t).item<double>() == doctest::Approx(1.0));
}

TEST_CASE("the metrics average the samples' values, weighted by the sample weights, as Keras's") {
  metrics::PearsonCorrelation pearson;
  pearson.update_state(correlation_targets(), correlation_outputs());
  CHECK(pearson.result().item<double>() == doctest::Approx(0.9966996338993913));  // Keras's docstring
  metrics::ConcordanceCorrelation concordance;
  concordance.update_state(correlation_targets(), correlation_outputs());
  CHECK(concordance.result().item<double>() == doctest::Approx((kConcordanceFirst + kConcordanceSecond) / 2));

  const torch::Tensor weights = torch::tensor({1.0, 3.0});
  metrics::PearsonCorrelation weighted;
  weighted.update_state(correlation_targets(), correlation_outputs(), weights);
  CHECK(weighted.result().item<double>() == doctest::Approx((kPearsonFirst + 3 * kPearsonSecond) / 4));
  metrics::ConcordanceCorrelation weighted_concordance;
  weighted_concordance.update_state(correlation_targets(), correlation_outputs(), weights);
  CHECK(weighted_concordance.result().item<double>() ==
        doctest::Approx((kConcordanceFirst + 3 * kConcordanceSecond) / 4));
}

TEST_CASE("the state is Keras's total and count, which add over batches and reset to zero") {
  metrics::PearsonCorrelation pearson;
  CHECK(pearson.variable_names() == std::vector<std::string>{"total", "count"});
  CHECK(pearson.result().item<double>() == 0.0);
  pearson.update_state(correlation_targets().slice(0, 0, 1), correlation_outputs().slice(0, 0, 1),
                       torch::tensor({1.0}));
  pearson.update_state(correlation_targets().slice(0, 1), correlation_outputs().slice(0, 1), torch::tensor({3.0}));
  CHECK(pearson.variables()[0].item<double>() == doctest::Approx(kPearsonFirst + 3 * kPearsonSecond));
  CHECK(pearson.variables()[1].item<double>() == 4.0);
  CHECK(pearson.result().item<double>() == doctest::Approx((kPearsonFirst + 3 * kPearsonSecond) / 4));
  pearson.reset_state();
  CHECK(pearson.variables()[0].item<double>() == 0.0);
  CHECK(pearson.variables()[1].item<double>() == 0.0);
}

TEST_CASE("values of more axes are averaged per sample before the weighted mean, as Keras's") {
  // [N, T, D]: one correlation per (sample, step), averaged over the steps of each sample.
  const torch::Tensor t = torch::tensor({{{0, 1, 2}, {1, 0, 1}}, {{2, 2, 1}, {0, 1, 3}}}, torch::kFloat64);
  const torch::Tensor p = torch::tensor({{{0, 1, 3}, {2, 0, 1}}, {{1, 2, 1}, {0, 2, 3}}}, torch::kFloat64);
  const torch::Tensor each = metrics::pearson_correlation(t, p);
  CHECK(each.sizes().vec() == std::vector<int64_t>{2, 2});
  CHECK(each[1][0].item<double>() == doctest::Approx(0.5));
  metrics::PearsonCorrelation pearson;
  pearson.update_state(t, p, torch::tensor({2.0, 1.0}));
  CHECK(pearson.result().item<double>() == doctest::Approx(0.8540971875));  // Keras 3.15.1's value
}

TEST_CASE("a constant sample has no correlation: NaN, as in Keras") {
  // One output per sample ([N, 1]): each sample's values along the last axis are constant.
  metrics::PearsonCorrelation pearson;
  pearson.update_state(torch::tensor({{1.0}, {2.0}}), torch::tensor({{1.0}, {3.0}}));
  CHECK(std::isnan(pearson.result().item<double>()));
}

TEST_CASE("the axis may be another, several or every one") {
  const torch::Tensor by_column =
      metrics::pearson_correlation(correlation_targets().t(), correlation_outputs().t(), {0});
  CHECK(by_column[1].item<double>() == doctest::Approx(kPearsonSecond));
  // Every axis: one value for the batch (Keras's axis=None).
  const torch::Tensor all = metrics::pearson_correlation(correlation_targets(), correlation_outputs(), {});
  CHECK(all.dim() == 0);
  CHECK(all.item<double>() == doctest::Approx(0.9938260914921139));
  const torch::Tensor both = metrics::concordance_correlation(correlation_targets(), correlation_outputs(), {0, 1});
  CHECK(both.item<double>() == doctest::Approx(0.9830505142201647));
  metrics::PearsonCorrelation every({.axis = {}});
  every.update_state(correlation_targets(), correlation_outputs());
  CHECK(every.variables()[1].item<double>() == 1.0);  // one value per batch
  CHECK(every.result().item<double>() == doctest::Approx(0.9938260914921139));
}

TEST_CASE("a trailing axis of 1 on one side is dropped, as Keras's squeeze_or_expand_to_same_rank") {
  const torch::Tensor t = correlation_targets().unsqueeze(-1);  // [2, 3, 1] against [2, 3]
  const torch::Tensor values = metrics::pearson_correlation(t, correlation_outputs());
  CHECK(values.sizes().vec() == std::vector<int64_t>{2});
  CHECK(values[1].item<double>() == doctest::Approx(kPearsonSecond));
}

TEST_CASE("the correlations' configs are Keras's and come back through serialize and deserialize") {
  const metrics::PearsonCorrelation pearson;
  CHECK(pearson.get_config() == tkeras::Config{{"name", "pearson_correlation"}, {"dtype", "float32"}, {"axis", -1}});
  const metrics::ConcordanceCorrelation concordance({.name = "ccc", .axis = {1, 2}});
  CHECK(concordance.config_options() == tkeras::Config{{"axis", {1, 2}}});
  const metrics::PearsonCorrelation every({.axis = {}});
  CHECK(every.config_options() == tkeras::Config{{"axis", nullptr}});
  const std::vector<const metrics::Metric*> all = {&pearson, &concordance, &every};
  for (const metrics::Metric* metric : all) {
    CAPTURE(metric->name());
    const std::shared_ptr<metrics::Metric> back = metrics::deserialize(metrics::serialize(*metric));
    CHECK(back->class_name() == metric->class_name());
    CHECK(back->get_config() == metric->get_config());
  }
  // Absent, the axis is the last; null, every axis.
  const auto absent =
      metrics::deserialize({{"class_name", "PearsonCorrelation"}, {"config", tkeras::Config::object()}});
  CHECK(absent->config_options() == tkeras::Config{{"axis", -1}});
  CHECK(metrics::get("concordance_correlation")->class_name() == "ConcordanceCorrelation");
  CHECK(metrics::get("pearson_correlation")->name() == "pearson_correlation");
}

TEST_CASE("axes out of range, repeated axes and shapes that do not match are refused") {
  CHECK_THROWS_WITH_AS(metrics::pearson_correlation(correlation_targets(), correlation_outputs(), {2}),
                       "pearson_correlation: expected axes in -2..1 for values of rank 2, received axis=[2]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::concordance_correlation(correlation_targets(), correlation_outputs(), {1, -1}),
                       "concordance_correlation: expected distinct axes, received axis=[1, -1]", tkeras::Error);
  CHECK_THROWS_WITH_AS(
      metrics::pearson_correlation(torch::zeros({2, 3}), torch::zeros({2, 4})),
      "pearson_correlation: expected targets and outputs of one shape, received y_true of shape [2, 3] "
      "and y_pred of shape [2, 4]",
      tkeras::Error);
  metrics::PearsonCorrelation pearson({.axis = {3}});
  CHECK_THROWS_WITH_AS(pearson.update_state(correlation_targets(), correlation_outputs()),
                       doctest::Contains("received axis=[3]"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "PearsonCorrelation"}, {"config", {{"axis", "last"}}}}),
                       doctest::Contains("PearsonCorrelation: expected axis as null, an integer or a list of integers"),
                       tkeras::Error);
}
