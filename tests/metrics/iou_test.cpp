// Tests for tkeras/metrics/iou.h: Keras's IoU values (its tests' cases), ignored and out-of-range
// labels, sample weights per sample and per label, argmax over a class axis, the confusion matrix
// variable, config and option errors.
#include "tkeras/metrics/iou.h"

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

namespace {

double iou_value(const metrics::Metric& metric) {
  const torch::Tensor result = metric.result();
  CHECK((result.scalar_type() == torch::kFloat64));
  CHECK(result.dim() == 0);
  return result.item<double>();
}

// Keras's OneHotIoU test data: one-hot targets [2, 0, 1, 0] and outputs whose argmax is [2, 2, 0, 2].
torch::Tensor iou_one_hot_targets() { return torch::tensor({{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0}}); }

torch::Tensor iou_one_hot_outputs() {
  return torch::tensor({{0.2f, 0.3f, 0.5f}, {0.1f, 0.2f, 0.7f}, {0.5f, 0.3f, 0.1f}, {0.1f, 0.4f, 0.5f}});
}

}  // namespace

TEST_CASE("IoU is true positives over true positives, false positives and false negatives, as Keras's") {
  // Confusion matrix [[1, 1], [1, 1]]: each class 1 / (2 + 2 - 1).
  const torch::Tensor y_true = torch::tensor({0, 0, 1, 1});
  const torch::Tensor y_pred = torch::tensor({0, 1, 0, 1});
  metrics::IoU first(2, {0});
  first.update_state(y_true, y_pred);
  CHECK(iou_value(first) == doctest::Approx(1.0 / 3.0));
  metrics::IoU both(2, {0, 1});
  both.update_state(y_true, y_pred);
  CHECK(iou_value(both) == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("sample weights weigh each label's cell, as float weights (Keras's int default would truncate them)") {
  const torch::Tensor y_true = torch::tensor({0, 0, 1, 1});
  const torch::Tensor y_pred = torch::tensor({0, 1, 0, 1});
  // Confusion matrix [[0.2, 0.3], [0.4, 0.1]]: class 0 0.2 / 0.9, class 1 0.1 / 0.8.
  const double expected = (0.2 / 0.9 + 0.1 / 0.8) / 2;
  metrics::IoU iou(2, {1, 0});
  iou.update_state(y_true, y_pred, torch::tensor({0.2, 0.3, 0.4, 0.1}));
  CHECK(iou_value(iou) == doctest::Approx(expected));
  CHECK(torch::allclose(iou.variables()[0], torch::tensor({{0.2, 0.3}, {0.4, 0.1}}, torch::kFloat64)));

  SUBCASE("weights of the labels' shape, as Keras's multi-dimensional test") {
    metrics::IoU grid(2, {0, 1});
    grid.update_state(torch::tensor({{0, 0}, {1, 1}}), torch::tensor({{0, 1}, {0, 1}}),
                      torch::tensor({{0.2, 0.3}, {0.4, 0.1}}));
    CHECK(iou_value(grid) == doctest::Approx((0.2 / 0.9 + 0.1 / 0.8) / 2));
  }
  SUBCASE("one weight per sample spreads over the sample's labels") {
    // Only the first row counts: matrix [[1, 1], [0, 0]], class 0 1 / 2, class 1 0 / 1.
    metrics::IoU rows(2, {0, 1});
    rows.update_state(torch::tensor({{0, 0}, {1, 1}}), torch::tensor({{0, 1}, {0, 1}}), torch::tensor({1.0, 0.0}));
    CHECK(iou_value(rows) == doctest::Approx(0.25));
  }
}

TEST_CASE("labels out of range and the ignored class add nothing, and absent classes are left out of the mean") {
  SUBCASE("out of range") {
    metrics::IoU iou(2, {0, 1});
    iou.update_state(torch::tensor({0, 2}), torch::tensor({0, 1}));
    iou.update_state(torch::tensor({-1, 0}), torch::tensor({0, 0}));
    iou.update_state(torch::tensor({0, 1}), torch::tensor({0, 5}));
    // Only (0, 0) three times: class 0's IoU is 1 and class 1 never occurs.
    CHECK(iou_value(iou) == doctest::Approx(1.0));
  }
  SUBCASE("absent classes") {
    metrics::IoU iou(4, {0, 1, 2, 3});
    iou.update_state(torch::tensor({0, 0, 1, 1}), torch::tensor({0, 1, 0, 1}));
    CHECK(iou_value(iou) == doctest::Approx(1.0 / 3.0));
  }
  SUBCASE("ignore_class, 255 or -1") {
    for (const int ignored : {255, -1}) {
      CAPTURE(ignored);
      metrics::MeanIoU iou(3, {.ignore_class = ignored});
      iou.update_state(torch::tensor({0, 1, 2, ignored}), torch::tensor({0, 1, 1, 1}));
      CHECK(iou_value(iou) == doctest::Approx((1.0 / 1.0 + 1.0 / 2.0 + 0.0) / 3));
    }
  }
  SUBCASE("ignore_class with weights") {
    metrics::MeanIoU iou(2, {.ignore_class = -1});
    iou.update_state(torch::tensor({0, 0, 1, -1}), torch::tensor({0, 1, 0, 1}), torch::tensor({0.2, 0.3, 0.4, 0.1}));
    CHECK(iou_value(iou) == doctest::Approx((0.2 / 0.9 + 0.0) / 2));
  }
}

TEST_CASE("outputs that are not labels give their argmax over the class axis") {
  // Argmax [0, 2, 2] against labels [0, 1, 2]: class 2 has 1 true positive over 2.
  metrics::IoU iou(3, {2}, {.sparse_y_pred = false});
  iou.update_state(torch::tensor({0, 1, 2}),
                   torch::tensor({{0.8f, 0.1f, 0.1f}, {0.1f, 0.2f, 0.7f}, {0.2f, 0.2f, 0.6f}}));
  CHECK(iou_value(iou) == doctest::Approx(0.5));

  // Only the argmax counts, so the trainer may pass the logits before a softmax.
  CHECK(iou.argmax_only());
  CHECK_FALSE(metrics::IoU(3, {2}).argmax_only());
  CHECK_FALSE(metrics::OneHotIoU(3, {2}, {.axis = 0}).argmax_only());
  CHECK_FALSE(metrics::BinaryIoU().argmax_only());

  SUBCASE("segmentation maps with one weight per image") {
    // Labels [[0, 1]] and [[1, 1]], argmax [[0, 1]] and [[0, 1]], weights 1 and 0.5: matrix
    // [[1, 0], [0.5, 1.5]], IoUs 1 / 1.5 and 1.5 / 2.
    metrics::MeanIoU mean(2, {.sparse_y_pred = false});
    const torch::Tensor labels = torch::tensor({{{0, 1}}, {{1, 1}}});
    const torch::Tensor logits = torch::tensor({{{{0.9f, 0.1f}, {0.2f, 0.8f}}}, {{{0.6f, 0.4f}, {0.3f, 0.7f}}}});
    mean.update_state(labels, logits, torch::tensor({1.0f, 0.5f}));
    CHECK(iou_value(mean) == doctest::Approx((1.0 / 1.5 + 1.5 / 2.0) / 2));
  }
}

TEST_CASE("BinaryIoU cuts the outputs at the threshold, as Keras's tests") {
  const torch::Tensor y_true = torch::tensor({0, 1, 0, 1});
  const torch::Tensor y_pred = torch::tensor({0.1f, 0.2f, 0.4f, 0.7f});
  metrics::BinaryIoU low({.threshold = 0.3});  // predictions [0, 0, 1, 1]
  low.update_state(y_true, y_pred);
  CHECK(iou_value(low) == doctest::Approx(1.0 / 3.0));
  metrics::BinaryIoU half;  // predictions [0, 0, 0, 1]: matrix [[2, 0], [1, 1]]
  half.update_state(y_true, y_pred);
  CHECK(iou_value(half) == doctest::Approx((2.0 / 3.0 + 1.0 / 2.0) / 2));
  metrics::BinaryIoU weighted({.threshold = 0.3});
  weighted.update_state(y_true, y_pred, torch::tensor({0.2, 0.3, 0.4, 0.1}));
  CHECK(iou_value(weighted) == doctest::Approx(0.17361112));
  metrics::BinaryIoU ones({.target_class_ids = {1}});
  ones.update_state(y_true, y_pred);
  CHECK(iou_value(ones) == doctest::Approx(0.5));
}

TEST_CASE("BinaryIoU compares in float32 as Keras, so a float32 output equal to the threshold counts as 1") {
  // float32's 0.7 is below the double 0.7: compared in float64 the output would fall below.
  metrics::BinaryIoU iou({.target_class_ids = {1}, .threshold = 0.7});
  iou.update_state(torch::tensor({1}), torch::tensor({0.7f}));
  CHECK(iou_value(iou) == doctest::Approx(1.0));
}

TEST_CASE("OneHotIoU and OneHotMeanIoU take the argmax of one-hot targets, as Keras's tests") {
  metrics::OneHotIoU iou(3, {0, 2});
  iou.update_state(iou_one_hot_targets(), iou_one_hot_outputs());
  CHECK(iou_value(iou) == doctest::Approx((0.0 / 3.0 + 1.0 / 3.0) / 2));
  metrics::OneHotMeanIoU mean(3);
  mean.update_state(iou_one_hot_targets(), iou_one_hot_outputs());
  CHECK(iou_value(mean) == doctest::Approx(1.0 / 9.0));

  const torch::Tensor weights = torch::tensor({0.1, 0.2, 0.3, 0.4});
  metrics::OneHotIoU weighted(3, {0, 2});
  weighted.update_state(iou_one_hot_targets(), iou_one_hot_outputs(), weights);
  CHECK(iou_value(weighted) == doctest::Approx(0.1 / 0.7 / 2));
  metrics::OneHotMeanIoU weighted_mean(3);
  weighted_mean.update_state(iou_one_hot_targets(), iou_one_hot_outputs(), weights);
  CHECK(iou_value(weighted_mean) == doctest::Approx(0.1 / 0.7 / 3));

  // The class axis may be another: the same data with classes first.
  metrics::OneHotIoU columns(3, {0, 2}, {.axis = 0});
  columns.update_state(iou_one_hot_targets().t(), iou_one_hot_outputs().t());
  CHECK(iou_value(columns) == doctest::Approx(1.0 / 6.0));
}

TEST_CASE("the confusion matrix adds up over batches in place and resets to zero") {
  metrics::MeanIoU iou(2);
  CHECK(iou_value(iou) == 0.0);  // Keras: no valid class before any update
  REQUIRE(iou.variable_names() == std::vector<std::string>{"total_confusion_matrix"});
  const torch::Tensor& matrix = iou.variables()[0];
  CHECK(matrix.sizes().vec() == std::vector<int64_t>{2, 2});
  CHECK((matrix.scalar_type() == torch::kFloat64));
  const void* storage = matrix.data_ptr();
  iou.update_state(torch::tensor({0, 0}), torch::tensor({0, 1}));
  iou.update_state(torch::tensor({1, 1}), torch::tensor({0, 1}));
  CHECK(iou.variables()[0].data_ptr() == storage);  // the same tensor, for a captured graph
  CHECK(torch::equal(iou.variables()[0], torch::tensor({{1.0, 1.0}, {1.0, 1.0}}, torch::kFloat64)));
  CHECK(iou_value(iou) == doctest::Approx(1.0 / 3.0));
  iou.reset_state();
  CHECK(iou.variables()[0].abs().sum().item<double>() == 0.0);
  CHECK(iou_value(iou) == 0.0);
}

TEST_CASE("the IoU metrics' configs are Keras's and come back through serialize and deserialize") {
  const metrics::IoU iou(2, {1, 0}, {.name = "iou_class_1_0"});
  CHECK(iou.get_config() == tkeras::Config{{"name", "iou_class_1_0"},
                                           {"dtype", "float32"},
                                           {"num_classes", 2},
                                           {"target_class_ids", {1, 0}},
                                           {"ignore_class", nullptr},
                                           {"sparse_y_true", true},
                                           {"sparse_y_pred", true},
                                           {"axis", -1}});
  const metrics::BinaryIoU binary({.target_class_ids = {1, 0}, .threshold = 0.1});
  CHECK(binary.config_options() == tkeras::Config{{"target_class_ids", {1, 0}}, {"threshold", 0.1}});
  const metrics::MeanIoU mean(3, {.ignore_class = 255, .sparse_y_pred = false});
  CHECK(
      mean.config_options() ==
      tkeras::Config{
          {"num_classes", 3}, {"ignore_class", 255}, {"sparse_y_true", true}, {"sparse_y_pred", false}, {"axis", -1}});
  const metrics::OneHotIoU one_hot(3, {1}, {.axis = 1});
  CHECK(one_hot.config_options() == tkeras::Config{{"num_classes", 3},
                                                   {"target_class_ids", tkeras::Config::array({1})},
                                                   {"ignore_class", nullptr},
                                                   {"sparse_y_pred", false},
                                                   {"axis", 1}});
  const metrics::OneHotMeanIoU one_hot_mean(4);
  CHECK(one_hot_mean.config_options() ==
        tkeras::Config{{"num_classes", 4}, {"ignore_class", nullptr}, {"sparse_y_pred", false}, {"axis", -1}});
  CHECK(one_hot_mean.name() == "one_hot_mean_io_u");

  const std::vector<const metrics::Metric*> all = {&iou, &binary, &mean, &one_hot, &one_hot_mean};
  for (const metrics::Metric* metric : all) {
    CAPTURE(metric->class_name());
    const std::shared_ptr<metrics::Metric> back = metrics::deserialize(metrics::serialize(*metric));
    CHECK(back->class_name() == metric->class_name());
    CHECK(back->get_config() == metric->get_config());
  }
}

TEST_CASE("compile's names make the IoU metrics that need no options, and name the missing ones otherwise") {
  const std::shared_ptr<metrics::Metric> binary = metrics::get("binary_io_u");
  CHECK(binary->class_name() == "BinaryIoU");
  CHECK(binary->config_options() == tkeras::Config{{"target_class_ids", {0, 1}}, {"threshold", 0.5}});
  CHECK_THROWS_WITH_AS(metrics::get("mean_io_u"), "MeanIoU: expected num_classes, the number of classes, received none",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::get("io_u"), doctest::Contains("IoU: expected num_classes"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::deserialize({{"class_name", "OneHotIoU"}, {"config", {{"num_classes", 3}}}}),
                       "OneHotIoU: expected target_class_ids, a list of classes, received none", tkeras::Error);
  CHECK_THROWS_WITH_AS(
      metrics::deserialize({{"class_name", "MeanIoU"},
                            {"config", {{"num_classes", 3}, {"target_class_ids", tkeras::Config::array({0})}}}}),
      doctest::Contains("MeanIoU: the option target_class_ids=[0] is not one of Keras's"), tkeras::Error);
}

TEST_CASE("bad options are refused when the metric is made") {
  CHECK_THROWS_WITH_AS(metrics::IoU(0, {0}), "IoU: expected num_classes of at least 1, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::IoU(2, {}), "IoU: expected at least one target class id, received none", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::IoU(2, {0, 2}),
                       "IoU: expected target class ids in 0..1 (num_classes=2), received target_class_ids=[0, 2]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::OneHotIoU(3, {-1}), doctest::Contains("OneHotIoU: expected target class ids in 0..2"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::BinaryIoU({.target_class_ids = {2}}),
                       doctest::Contains("BinaryIoU: expected target class ids in 0..1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::MeanIoU(-3), "MeanIoU: expected num_classes of at least 1, received -3", tkeras::Error);
  CHECK_THROWS_WITH_AS(metrics::OneHotMeanIoU(0), doctest::Contains("OneHotMeanIoU: expected num_classes"),
                       tkeras::Error);
}

TEST_CASE("labels of other counts, weights of other shapes and a class axis out of range are refused") {
  metrics::IoU iou(2, {0});
  CHECK_THROWS_WITH_AS(iou.update_state(torch::tensor({0, 1, 1}), torch::tensor({0, 1})),
                       "IoU \"io_u\": expected as many predicted labels as true ones, received 3 true (y_true of shape "
                       "[3]) and 2 predicted (y_pred of shape [2])",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(
      iou.update_state(torch::tensor({{0, 1}, {1, 0}}), torch::tensor({{0, 1}, {1, 0}}), torch::ones({3})),
      "IoU \"io_u\": expected sample weights of shape [2] (one per sample) or [2, 2] (one per label), received "
      "shape [3]",
      tkeras::Error);
  metrics::OneHotIoU one_hot(3, {0}, {.axis = 2});
  CHECK_THROWS_WITH_AS(one_hot.update_state(iou_one_hot_targets(), iou_one_hot_outputs()),
                       "OneHotIoU \"one_hot_io_u\": expected y_true with a class axis 2 for the argmax, received "
                       "shape [4, 3]",
                       tkeras::Error);
}
