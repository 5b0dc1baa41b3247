// Tests for History.
#include "tkeras/training/history.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

TEST_CASE("History keeps one value per epoch for every log key") {
  tkeras::History history;
  history.on_train_begin({});
  history.on_epoch_end(0, {{"loss", 1.0}, {"val_loss", 2.0}});
  history.on_epoch_end(1, {{"loss", 0.5}, {"val_loss", 2.5}});
  CHECK(history.epoch == std::vector<int>{0, 1});
  CHECK(history.history.at("loss") == std::vector<double>{1.0, 0.5});
  CHECK(history.history.at("val_loss") == std::vector<double>{2.0, 2.5});
}

TEST_CASE("fit returns a History of loss, metrics and validation values, counting from initial_epoch") {
  const auto data = tkeras::testing::blobs(50, 2, 3, 4);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile(
      {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
  const tkeras::History history =
      model.fit(data.x, data.y, {.epochs = 4, .validation_split = 0.2, .verbose = 0, .initial_epoch = 1});
  CHECK(history.epoch == std::vector<int>{1, 2, 3});
  for (const char* key : {"accuracy", "loss", "val_accuracy", "val_loss"}) {
    CAPTURE(key);
    CHECK(history.history.at(key).size() == 3);
  }
}
