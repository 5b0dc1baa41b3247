// Tests for tkeras/losses/crossentropy.h: Keras's values, stable cross-entropy after softmax and
// sigmoid, label smoothing, focal terms, ignored classes, and target checks.
#include "tkeras/losses/crossentropy.h"

#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace losses = tkeras::losses;

TEST_CASE("sparse categorical cross-entropy on probabilities is the mean negative log of the true class") {
  const torch::Tensor p = torch::tensor({{0.7f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}});
  const torch::Tensor y = torch::tensor({0, 2});
  const double expected = -(std::log(0.7) + std::log(0.25)) / 2;
  CHECK(losses::Loss("sparse_categorical_crossentropy")(y, p).item<double>() == doctest::Approx(expected));
}

TEST_CASE("after a softmax layer the loss is computed from the logits, stably") {
  const torch::Tensor logits = torch::tensor({{200.0f, 0.0f, -200.0f}, {1.0f, 2.0f, 3.0f}});
  const torch::Tensor y = torch::tensor({2, 0});
  const losses::Loss loss("sparse_categorical_crossentropy");
  const torch::Tensor stable = loss.from_layer_output(y, logits, "softmax");
  const double expected = -(torch::log_softmax(logits.to(torch::kFloat64), -1)[0][2].item<double>() +
                            torch::log_softmax(logits.to(torch::kFloat64), -1)[1][0].item<double>()) /
                          2;
  CHECK(std::isfinite(stable.item<double>()));
  CHECK(stable.item<double>() == doctest::Approx(expected));
  // The naive log of the softmax would be clipped at 1e-7 and lose the true value (200).
  CHECK(loss(y, torch::softmax(logits, -1)).item<double>() < expected / 2);
}

TEST_CASE("from_logits takes the model's outputs as logits") {
  const torch::Tensor logits = torch::tensor({{2.0f, -1.0f}, {0.5f, 0.5f}});
  const torch::Tensor y = torch::tensor({1, 0});
  const losses::SparseCategoricalCrossentropy loss({.from_logits = true});
  CHECK(loss.from_logits());
  CHECK(loss(y, logits).item<double>() ==
        doctest::Approx(torch::nn::functional::cross_entropy(logits, y).item<double>()));
}

TEST_CASE("categorical cross-entropy takes one-hot targets") {
  const torch::Tensor p = torch::tensor({{0.7f, 0.3f}, {0.4f, 0.6f}});
  const torch::Tensor y = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  CHECK(losses::Loss("categorical_crossentropy")(y, p).item<double>() ==
        doctest::Approx(-(std::log(0.7) + std::log(0.6)) / 2));
  CHECK(losses::CategoricalCrossentropy().from_layer_output(y, torch::log(p), "softmax").item<double>() ==
        doctest::Approx(-(std::log(0.7) + std::log(0.6)) / 2).epsilon(1e-5));
}

TEST_CASE("binary cross-entropy matches on probabilities and after a sigmoid") {
  const torch::Tensor logits = torch::tensor({{0.3f}, {-1.2f}, {2.0f}});
  const torch::Tensor y = torch::tensor({{1.0f}, {0.0f}, {1.0f}});
  const torch::Tensor expected = torch::binary_cross_entropy_with_logits(logits, y);
  const losses::Loss loss("binary_crossentropy");
  CHECK(loss(y, torch::sigmoid(logits)).item<double>() == doctest::Approx(expected.item<double>()).epsilon(1e-5));
  CHECK(loss.from_layer_output(y, logits, "sigmoid").item<double>() == doctest::Approx(expected.item<double>()));
}

TEST_CASE("labels outside 0..units-1 are refused, naming the output layer and its unit count") {
  const losses::Loss loss("sparse_categorical_crossentropy");
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({0, 3, 11}), {10}, "Dense \"dense_1\""),
                       "Dense \"dense_1\" has 10 units, so sparse_categorical_crossentropy expects labels in 0..9; "
                       "received labels from 0 to 11",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({-1, 3}), {10}, "Dense \"dense_1\""),
                       doctest::Contains("received labels from -1 to 3"), tkeras::Error);
}

TEST_CASE("sparse labels become an int64 vector, also from an N x 1 column or integral floats") {
  const losses::Loss loss("sparse_categorical_crossentropy");
  const torch::Tensor labels = loss.prepare_targets(torch::tensor({{1.0f}, {2.0f}}), {3}, "Dense \"d\"");
  CHECK((labels.scalar_type() == torch::kInt64));
  CHECK(labels.sizes().vec() == std::vector<int64_t>{2});
  CHECK_THROWS_WITH_AS(
      loss.prepare_targets(torch::tensor({0.5f, 1.0f}), {3}, "Dense \"d\""),
      "sparse_categorical_crossentropy: expected integer class labels, received non-integer values in y",
      tkeras::Error);
}

TEST_CASE("one-hot targets for the sparse loss, and labels for the categorical one, are refused with a hint") {
  CHECK_THROWS_WITH_AS(
      losses::Loss("sparse_categorical_crossentropy").prepare_targets(torch::zeros({4, 10}), {10}, "Dense \"d\""),
      "sparse_categorical_crossentropy: expected integer class labels of shape [4] for outputs (None, 10), received y "
      "of shape [4, 10] (one-hot targets take categorical_crossentropy)",
      tkeras::Error);
  CHECK_THROWS_WITH_AS(
      losses::Loss("categorical_crossentropy").prepare_targets(torch::zeros({4}), {10}, "Dense \"d\""),
      "categorical_crossentropy: expected targets of shape [4, 10] matching outputs (None, 10), received y of shape "
      "[4] (integer labels take sparse_categorical_crossentropy)",
      tkeras::Error);
}

TEST_CASE("binary targets must lie between 0 and 1, and N labels are read as N x 1") {
  const losses::Loss loss("binary_crossentropy");
  CHECK(loss.prepare_targets(torch::tensor({0, 1, 1}), {1}, "Dense \"d\"").sizes().vec() == std::vector<int64_t>{3, 1});
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({0, 2}), {1}, "Dense \"d\""),
                       "binary_crossentropy: expected targets in [0, 1] for Dense \"d\", received values from 0 to 2",
                       tkeras::Error);
}

TEST_CASE("sample weights multiply each sample's loss and the sum is divided by the number of samples, as Keras") {
  const torch::Tensor logits = torch::tensor({{2.0f, -1.0f, 0.5f}, {0.1f, 0.2f, 0.3f}, {-3.0f, 4.0f, 1.0f}});
  const torch::Tensor labels = torch::tensor({0, 2, 0});
  const torch::Tensor w = torch::tensor({2.0f, 0.0f, 0.5f});
  const torch::Tensor each = -torch::log_softmax(logits, -1).gather(1, labels.unsqueeze(1)).squeeze(1);
  const double expected = (each * w).sum().item<double>() / 3;  // not over the weights' sum, 2.5
  for (const char* activation : {"softmax", "linear"}) {
    CAPTURE(activation);
    const bool softmax = std::string_view(activation) == "softmax";
    const losses::Loss loss = softmax ? losses::Loss("sparse_categorical_crossentropy")
                                      : losses::SparseCategoricalCrossentropy({.from_logits = true});
    CHECK(loss.from_layer_output(labels, logits, activation, w).item<double>() == doctest::Approx(expected));
    // Weights of 1 are the unweighted loss.
    CHECK(loss.from_layer_output(labels, logits, activation, torch::ones({3})).item<double>() ==
          doctest::Approx(loss.from_layer_output(labels, logits, activation).item<double>()));
  }
  const torch::Tensor one_hot = torch::one_hot(labels, 3).to(torch::kFloat32);
  CHECK(losses::Loss("categorical_crossentropy").from_layer_output(one_hot, logits, "softmax", w).item<double>() ==
        doctest::Approx(expected));
}

TEST_CASE("binary cross-entropy and mean squared error weigh each sample's mean over its outputs") {
  const torch::Tensor predicted = torch::tensor({{0.9f, 0.2f}, {0.4f, 0.6f}});
  const torch::Tensor targets = torch::tensor({{1.0f, 0.0f}, {1.0f, 1.0f}});
  const torch::Tensor w = torch::tensor({3.0f, 0.5f});
  const torch::Tensor squared = (predicted - targets).square().mean(1);
  CHECK(losses::Loss("mse")(targets, predicted, w).item<double>() ==
        doctest::Approx((squared * w).sum().item<double>() / 2));
  const torch::Tensor bce = -(targets * predicted.log() + (1 - targets) * (1 - predicted).log()).mean(1);
  CHECK(losses::Loss("binary_crossentropy")(targets, predicted, w).item<double>() ==
        doctest::Approx((bce * w).sum().item<double>() / 2));
  // After a sigmoid layer the weighted loss is also computed from the logits.
  const torch::Tensor logits = torch::logit(predicted);
  CHECK(losses::Loss("binary_crossentropy").from_layer_output(targets, logits, "sigmoid", w).item<double>() ==
        doctest::Approx((bce * w).sum().item<double>() / 2).epsilon(1e-5));
}

TEST_CASE("label smoothing moves categorical targets towards uniform and binary ones towards one half") {
  const torch::Tensor p = torch::tensor({{0.7f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}});
  const torch::Tensor y = torch::tensor({{1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}});
  const torch::Tensor smooth = y * 0.7 + 0.1;  // s = 0.3 over 3 classes
  CHECK(losses::CategoricalCrossentropy({.label_smoothing = 0.3})(y, p).item<double>() ==
        doctest::Approx(-(smooth * p.log()).sum(1).mean().item<double>()));
  const torch::Tensor q = torch::tensor({{0.9f}, {0.3f}});
  const torch::Tensor b = torch::tensor({{1.0f}, {0.0f}});
  const torch::Tensor target = b * 0.8 + 0.1;  // s = 0.2
  CHECK(losses::BinaryCrossentropy({.label_smoothing = 0.2})(b, q).item<double>() ==
        doctest::Approx(-(target * q.log() + (1 - target) * (1 - q).log()).mean().item<double>()));
  CHECK_THROWS_WITH_AS(losses::CategoricalCrossentropy({.label_smoothing = 1.5}),
                       "CategoricalCrossentropy: expected label_smoothing in [0, 1], received 1.5", tkeras::Error);
}

TEST_CASE("focal cross-entropies scale each term by (1 - p)^gamma, and are the plain ones at gamma 0") {
  const torch::Tensor q = torch::tensor({{0.9f, 0.2f}, {0.4f, 0.7f}});
  const torch::Tensor b = torch::tensor({{1.0f, 0.0f}, {1.0f, 1.0f}});
  CHECK(losses::BinaryFocalCrossentropy({.gamma = 0.0})(b, q).item<double>() ==
        doctest::Approx(losses::BinaryCrossentropy()(b, q).item<double>()));
  const torch::Tensor p_t = b * q + (1 - b) * (1 - q);
  const torch::Tensor bce = -(b * q.log() + (1 - b) * (1 - q).log());
  const torch::Tensor balance = b * 0.25 + (1 - b) * 0.75;
  CHECK(losses::BinaryFocalCrossentropy({.apply_class_balancing = true})(b, q).item<double>() ==
        doctest::Approx((balance * (1 - p_t).square() * bce).mean().item<double>()));

  const torch::Tensor p = torch::tensor({{0.7f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}});
  const torch::Tensor y = torch::tensor({{1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}});
  CHECK(losses::CategoricalFocalCrossentropy({.alpha = 1.0, .gamma = 0.0})(y, p).item<double>() ==
        doctest::Approx(losses::CategoricalCrossentropy()(y, p).item<double>()));
  CHECK(losses::CategoricalFocalCrossentropy()(y, p).item<double>() ==
        doctest::Approx((0.25 * (1 - p).square() * -(y * p.log())).sum(1).mean().item<double>()));
  CHECK_THROWS_WITH_AS(losses::BinaryFocalCrossentropy({.gamma = -1.0}),
                       "BinaryFocalCrossentropy: expected gamma >= 0, received -1", tkeras::Error);
}

TEST_CASE("an ignored class adds nothing, and the mean is over the other positions") {
  const torch::Tensor logits = torch::tensor({{{2.0f, -1.0f}, {0.5f, 0.5f}, {1.0f, 3.0f}}});  // [1, 3, 2]
  const torch::Tensor labels = torch::tensor({{0, -1, 1}});
  const losses::SparseCategoricalCrossentropy loss({.from_logits = true, .ignore_class = -1});
  const torch::Tensor log_probs = torch::log_softmax(logits, -1);
  const double kept = -(log_probs[0][0][0].item<double>() + log_probs[0][2][1].item<double>());
  CHECK(loss(labels, logits).item<double>() == doctest::Approx(kept / 2));
  // The sum reduction counts the ignored position as 0; the targets may hold the ignored label.
  const losses::SparseCategoricalCrossentropy sum({.from_logits = true, .ignore_class = -1, .reduction = "sum"});
  CHECK(sum(labels, logits).item<double>() == doctest::Approx(kept));
  CHECK(loss.prepare_targets(labels, {3, 2}, "Dense \"d\"").equal(labels));
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({{0, -2, 1}}), {3, 2}, "Dense \"d\""),
                       "Dense \"d\" has 2 units, so sparse_categorical_crossentropy expects labels in 0..1 (or the "
                       "ignored class -1); received labels from -2 to 1",
                       tkeras::Error);
  // A gradient reaches only the kept positions.
  const torch::Tensor weights = logits.clone().requires_grad_(true);
  loss(labels, weights).backward();
  CHECK(weights.grad()[0][1].abs().sum().item<double>() == 0.0);
  CHECK(weights.grad()[0][0].abs().sum().item<double>() > 0.0);
}

TEST_CASE("the generalized cross-entropy is (1 - p^q) / q of the true class, for q in (0, 1)") {
  const torch::Tensor p = torch::tensor({{0.7f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}});
  const torch::Tensor y = torch::tensor({0, 1});
  CHECK(losses::CategoricalGeneralizedCrossEntropy({.q = 0.3})(y, p).item<double>() ==
        doctest::Approx(((1 - std::pow(0.7, 0.3)) / 0.3 + (1 - std::pow(0.5, 0.3)) / 0.3) / 2));
  CHECK_THROWS_WITH_AS(losses::CategoricalGeneralizedCrossEntropy({.q = 1.0}),
                       "CategoricalGeneralizedCrossEntropy: expected q in the interval (0, 1), received 1",
                       tkeras::Error);
}

TEST_CASE("cross-entropy options read back from their config, and an option Keras lacks is refused") {
  const losses::Loss loss = losses::BinaryFocalCrossentropy(
      {.apply_class_balancing = true, .alpha = 0.4, .gamma = 1.5, .from_logits = true, .label_smoothing = 0.1});
  CHECK(losses::Loss::from_config(loss.get_config()).get_config() == loss.get_config());
  CHECK(loss.get_config() == tkeras::Config{{"name", "binary_focal_crossentropy"},
                                            {"reduction", "sum_over_batch_size"},
                                            {"apply_class_balancing", true},
                                            {"alpha", 0.4},
                                            {"gamma", 1.5},
                                            {"from_logits", true},
                                            {"label_smoothing", 0.1},
                                            {"axis", -1}});
  CHECK(losses::SparseCategoricalCrossentropy({.ignore_class = 255}).get_config()["ignore_class"] == 255);
  CHECK_THROWS_WITH_AS(losses::Loss::from_config({{"name", "categorical_crossentropy"}, {"delta", 1.0}}),
                       "CategoricalCrossentropy: the option delta=1.0 is not one of Keras's (or is not supported by "
                       "tkeras)",
                       tkeras::Error);
}

TEST_CASE("sparse labels may index a class axis other than the last") {
  torch::manual_seed(2);
  const torch::Tensor logits = torch::randn({2, 3, 4});  // classes on axis 1, 4 positions
  const torch::Tensor labels = torch::tensor({{0, 2, 1, 1}, {2, 2, 0, 1}});
  const losses::SparseCategoricalCrossentropy loss({.from_logits = true, .axis = 1});
  CHECK(loss(labels, logits).item<double>() ==
        doctest::Approx(torch::nn::functional::cross_entropy(logits, labels).item<double>()));
  CHECK(loss.prepare_targets(labels, {3, 4}, "Dense \"d\"").equal(labels));
  // Labels with an axis of 1 where the classes are, as Keras squeezes them.
  CHECK(loss.prepare_targets(labels.unsqueeze(1), {3, 4}, "Dense \"d\"").equal(labels));
  CHECK_THROWS_WITH_AS(loss.prepare_targets(torch::tensor({{0, 3, 1, 1}}), {3, 4}, "Dense \"d\""),
                       doctest::Contains("has 3 units, so sparse_categorical_crossentropy expects labels in 0..2"),
                       tkeras::Error);
}
