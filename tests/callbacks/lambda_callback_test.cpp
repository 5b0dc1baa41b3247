// Tests for LambdaCallback.
#include "tkeras/callbacks/lambda_callback.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

TEST_CASE("LambdaCallback calls the functions it was given and skips the rest") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 5);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::vector<std::string> calls;
  auto callback = std::make_shared<tkeras::callbacks::LambdaCallback>(tkeras::callbacks::LambdaCallbackOptions{
      .on_epoch_end =
          [&](int epoch, const tkeras::Logs& logs) {
            calls.push_back(fmt::format("epoch {} loss {}", epoch, logs.contains("loss")));
          },
      .on_train_begin = [&](const tkeras::Logs&) { calls.push_back("begin"); },
      .on_train_end = [&](const tkeras::Logs&) { calls.push_back("end"); },
      .on_predict_end = [&](const tkeras::Logs&) { calls.push_back("predicted"); }});
  CHECK_FALSE(callback->wants_batch_logs());
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0, .callbacks = {callback}});
  model.predict(data.x, {.verbose = 0, .callbacks = {callback}});
  CHECK(calls == std::vector<std::string>{"begin", "epoch 0 loss true", "epoch 1 loss true", "end", "predicted"});
}

TEST_CASE("a LambdaCallback with a batch function receives running batch logs") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 6);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::vector<double> losses;
  auto callback = std::make_shared<tkeras::callbacks::LambdaCallback>(tkeras::callbacks::LambdaCallbackOptions{
      .on_train_batch_end = [&](int64_t, const tkeras::Logs& logs) { losses.push_back(logs.at("loss")); }});
  CHECK(callback->wants_batch_logs());
  model.fit(data.x, data.y, {.batch_size = 5, .verbose = 0, .callbacks = {callback}});
  CHECK(losses.size() == 4);
}
