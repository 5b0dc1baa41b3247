// Tests for tkeras/metrics/accuracy.h: Keras's accuracies.
#include "tkeras/metrics/accuracy.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace metrics = tkeras::metrics;

TEST_CASE("Accuracy counts outputs equal to their targets, a trailing axis of 1 aside") {
  metrics::Accuracy accuracy;
  accuracy.update_state(torch::tensor({{1.0f}, {2.0f}, {3.0f}, {4.0f}}), torch::tensor({0.0f, 2.0f, 3.0f, 4.0f}));
  CHECK(accuracy.result().item<double>() == doctest::Approx(0.75));
  CHECK(accuracy.class_name() == "Accuracy");
}

TEST_CASE("BinaryAccuracy thresholds the outputs and compares them with the targets exactly, as Keras's") {
  metrics::BinaryAccuracy accuracy;
  accuracy.update_state(torch::tensor({{1.0f}, {1.0f}, {0.0f}, {0.0f}}),
                        torch::tensor({{0.98f}, {1.0f}, {0.0f}, {0.6f}}));
  CHECK(accuracy.result().item<double>() == doctest::Approx(0.75));
  // A target that is not 0 or 1 matches nothing.
  metrics::BinaryAccuracy soft({.threshold = 0.7});
  soft.update_state(torch::tensor({{0.8f}, {1.0f}}), torch::tensor({{0.9f}, {0.75f}}));
  CHECK(soft.result().item<double>() == doctest::Approx(0.5));
  CHECK(soft.get_config()["threshold"] == 0.7);
  // With sample weights, Keras's weighted mean.
  metrics::BinaryAccuracy weighted;
  weighted.update_state(torch::tensor({{1.0f}, {1.0f}, {0.0f}, {0.0f}}),
                        torch::tensor({{0.98f}, {1.0f}, {0.0f}, {0.6f}}), torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}));
  CHECK(weighted.result().item<double>() == doctest::Approx(0.5));
}

TEST_CASE("categorical and sparse categorical accuracy compare the largest output with the class") {
  const torch::Tensor outputs = torch::tensor({{0.1f, 0.9f, 0.0f}, {0.05f, 0.95f, 0.0f}});
  metrics::CategoricalAccuracy categorical;
  categorical.update_state(torch::tensor({{0.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 0.0f}}), outputs);
  CHECK(categorical.result().item<double>() == doctest::Approx(0.5));
  CHECK(categorical.argmax_only());
  metrics::SparseCategoricalAccuracy sparse;
  sparse.update_state(torch::tensor({2, 1}), outputs);
  sparse.update_state(torch::tensor({{1.0f}, {1.0f}}), outputs);  // labels [N, 1]
  CHECK(sparse.result().item<double>() == doctest::Approx(0.75));
  // Per position: [N, T] labels against [N, T, C] outputs.
  metrics::SparseCategoricalAccuracy sequence;
  sequence.update_state(torch::tensor({{1, 0}}), torch::tensor({{{0.0f, 1.0f}, {0.0f, 1.0f}}}));
  CHECK(sequence.result().item<double>() == doctest::Approx(0.5));
}

TEST_CASE("top-k accuracies count a class among the k largest outputs, ties with the k-th included") {
  const torch::Tensor outputs = torch::tensor({{0.1f, 0.9f, 0.8f}, {0.05f, 0.95f, 0.0f}});
  metrics::TopKCategoricalAccuracy top({.k = 1});
  top.update_state(torch::tensor({{0.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 0.0f}}), outputs);
  CHECK(top.result().item<double>() == doctest::Approx(0.5));
  metrics::SparseTopKCategoricalAccuracy sparse({.k = 2});
  sparse.update_state(torch::tensor({2, 2}), outputs);
  CHECK(sparse.result().item<double>() == doctest::Approx(0.5));
  metrics::SparseTopKCategoricalAccuracy tied({.k = 1});
  tied.update_state(torch::tensor({0}), torch::tensor({{0.5f, 0.5f}}));
  CHECK(tied.result().item<double>() == 1.0);
  // More than the classes: every class is in (as TensorFlow's in_top_k).
  metrics::SparseTopKCategoricalAccuracy all;  // k = 5, 3 classes
  all.update_state(torch::tensor({0, 2}), outputs);
  CHECK(all.result().item<double>() == 1.0);
  // Sorted ids: the outputs are class ids, best first.
  metrics::SparseTopKCategoricalAccuracy ids({.k = 2, .from_sorted_ids = true});
  ids.update_state(torch::tensor({3, 1}), torch::tensor({{3, 0, 1}, {2, 0, 1}}));
  CHECK(ids.result().item<double>() == doctest::Approx(0.5));
  CHECK(ids.get_config()["from_sorted_ids"] == true);
  CHECK_FALSE(sparse.get_config().contains("from_sorted_ids"));
  CHECK_THROWS_WITH_AS(metrics::TopKCategoricalAccuracy({.k = 0}),
                       "TopKCategoricalAccuracy: expected k as a positive integer, received 0", tkeras::Error);
}
