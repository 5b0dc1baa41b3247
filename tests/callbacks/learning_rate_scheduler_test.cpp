// Tests for LearningRateScheduler.
#include "tkeras/callbacks/learning_rate_scheduler.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

TEST_CASE("LearningRateScheduler sets each epoch's rate from the schedule and logs it") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 60);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::vector<std::pair<int, double>> calls;
  auto scheduler = std::make_shared<tkeras::callbacks::LearningRateScheduler>([&](int epoch, double lr) {
    calls.emplace_back(epoch, lr);
    return epoch < 2 ? lr : lr / 10;
  });
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 4, .verbose = 0, .callbacks = {scheduler}});
  CHECK(calls.front() == std::pair<int, double>{0, 0.01});
  CHECK(history.history.at("learning_rate")[1] == doctest::Approx(0.01));
  CHECK(history.history.at("learning_rate")[2] == doctest::Approx(0.001));
  CHECK(history.history.at("learning_rate")[3] == doctest::Approx(0.0001));
}

TEST_CASE("a schedule returning a non-positive rate is refused") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 61);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  auto scheduler = std::make_shared<tkeras::callbacks::LearningRateScheduler>([](int, double) { return 0.0; });
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.verbose = 0, .callbacks = {scheduler}}),
                       "LearningRateScheduler: expected the schedule to return a positive, finite rate, received 0 at "
                       "epoch 0",
                       tkeras::Error);
}
