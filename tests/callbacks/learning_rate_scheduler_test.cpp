// Tests for LearningRateScheduler.
#include "tkeras/callbacks/learning_rate_scheduler.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/callbacks/lambda_callback.h"
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

TEST_CASE("a schedule may end at a rate of 0, as in Keras: the weights then stay as they are") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 61);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::vector<torch::Tensor> after_first_epoch;
  auto scheduler = std::make_shared<tkeras::callbacks::LearningRateScheduler>(
      [](int epoch, double lr) { return epoch == 0 ? lr : 0.0; });
  auto snapshot = std::make_shared<tkeras::callbacks::LambdaCallback>(
      tkeras::callbacks::LambdaCallbackOptions{.on_epoch_end = [&](int epoch, const tkeras::Logs&) {
        if (epoch != 0) return;
        for (const auto& weight : model.weights()) after_first_epoch.push_back(weight.value.clone());
      }});
  const tkeras::History history =
      model.fit(data.x, data.y, {.epochs = 3, .verbose = 0, .callbacks = {scheduler, snapshot}});
  CHECK(history.history.at("learning_rate")[2] == 0.0);
  REQUIRE(after_first_epoch.size() == model.weights().size());
  for (size_t i = 0; i < after_first_epoch.size(); ++i)
    CHECK(torch::equal(model.weights()[i].value, after_first_epoch[i]));
}

TEST_CASE("a schedule returning a negative or non-finite rate is refused") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 61);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  auto scheduler = std::make_shared<tkeras::callbacks::LearningRateScheduler>([](int, double) { return -1e-3; });
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.verbose = 0, .callbacks = {scheduler}}),
                       "LearningRateScheduler: expected the schedule to return a finite rate >= 0, received -0.001 at "
                       "epoch 0",
                       tkeras::Error);
}
