// Tests for the Callback base: the hook order of a fit and Keras's stop_training semantics.
#include "tkeras/training/callback.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

namespace {

// Notes every hook as it fires, as ensmallen's recording callback does.
class Recorder : public tkeras::callbacks::Callback {
 public:
  std::vector<std::string> calls;
  int64_t stop_after_batch = -1;
  int stop_after_epoch = -1;
  tkeras::Logs last_epoch_logs;

  void on_train_begin(const tkeras::Logs&) override { calls.push_back("train_begin"); }
  void on_train_end(const tkeras::Logs&) override { calls.push_back("train_end"); }
  void on_epoch_begin(int epoch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("epoch_begin {}", epoch));
  }
  void on_epoch_end(int epoch, const tkeras::Logs& logs) override {
    calls.push_back(fmt::format("epoch_end {}", epoch));
    last_epoch_logs = logs;
    if (epoch == stop_after_epoch) model().stop_training = true;
  }
  void on_train_batch_begin(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("batch_begin {}", batch));
  }
  void on_train_batch_end(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("batch_end {}", batch));
    if (batch == stop_after_batch) model().stop_training = true;
  }
  void on_test_begin(const tkeras::Logs&) override { calls.push_back("test_begin"); }
  void on_test_end(const tkeras::Logs&) override { calls.push_back("test_end"); }
  void on_test_batch_begin(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("test_batch_begin {}", batch));
  }
  void on_test_batch_end(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("test_batch_end {}", batch));
  }
  void on_predict_begin(const tkeras::Logs&) override { calls.push_back("predict_begin"); }
  void on_predict_end(const tkeras::Logs&) override { calls.push_back("predict_end"); }
  void on_predict_batch_begin(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("predict_batch_begin {}", batch));
  }
  void on_predict_batch_end(int64_t batch, const tkeras::Logs&) override {
    calls.push_back(fmt::format("predict_batch_end {}", batch));
  }
};

struct Fixture {
  tkeras::testing::Blobs data = tkeras::testing::blobs(40, 3, 4, 1);
  tkeras::Sequential model{tkeras::layers::Dense(3, "softmax")};
  std::shared_ptr<Recorder> recorder = std::make_shared<Recorder>();
  Fixture() { model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"}); }
};

}  // namespace

TEST_CASE("fit calls every hook in Keras's order, validation after the batches of each epoch") {
  Fixture f;
  // 30 training samples in batches of 16 -> 2 steps; 10 validation samples -> 1 step.
  f.model.fit(f.data.x, f.data.y,
              {.epochs = 2, .batch_size = 16, .validation_split = 0.25, .verbose = 0, .callbacks = {f.recorder}});
  const std::vector<std::string> epoch = {"batch_begin 0", "batch_end 0",        "batch_begin 1",    "batch_end 1",
                                          "test_begin",    "test_batch_begin 0", "test_batch_end 0", "test_end"};
  std::vector<std::string> expected = {"train_begin", "epoch_begin 0"};
  expected.insert(expected.end(), epoch.begin(), epoch.end());
  expected.insert(expected.end(), {"epoch_end 0", "epoch_begin 1"});
  expected.insert(expected.end(), epoch.begin(), epoch.end());
  expected.insert(expected.end(), {"epoch_end 1", "train_end"});
  CHECK(f.recorder->calls == expected);
}

TEST_CASE("stop_training set in a batch ends the epoch there, yet its logs, validation and on_train_end still run") {
  Fixture f;
  f.recorder->stop_after_batch = 0;
  tkeras::History history =
      f.model.fit(f.data.x, f.data.y,
                  {.epochs = 5, .batch_size = 16, .validation_split = 0.25, .verbose = 0, .callbacks = {f.recorder}});
  CHECK(f.recorder->calls == std::vector<std::string>{"train_begin", "epoch_begin 0", "batch_begin 0", "batch_end 0",
                                                      "test_begin", "test_batch_begin 0", "test_batch_end 0",
                                                      "test_end", "epoch_end 0", "train_end"});
  CHECK(f.recorder->last_epoch_logs.contains("val_loss"));
  CHECK(history.epoch == std::vector<int>{0});
}

TEST_CASE("stop_training set at the end of an epoch stops before the next one") {
  Fixture f;
  f.recorder->stop_after_epoch = 1;
  tkeras::History history = f.model.fit(f.data.x, f.data.y, {.epochs = 5, .verbose = 0, .callbacks = {f.recorder}});
  CHECK(history.epoch == std::vector<int>{0, 1});
  CHECK(f.recorder->calls.back() == "train_end");
}

TEST_CASE("fit resets stop_training, so a stopped model trains again") {
  Fixture f;
  f.recorder->stop_after_epoch = 0;
  f.model.fit(f.data.x, f.data.y, {.epochs = 3, .verbose = 0, .callbacks = {f.recorder}});
  CHECK(f.model.stop_training);
  const tkeras::History history = f.model.fit(f.data.x, f.data.y, {.epochs = 3, .verbose = 0});
  CHECK(history.epoch.size() == 3);
}

TEST_CASE("evaluate and predict call the test and predict hooks") {
  Fixture f;
  f.model.evaluate(f.data.x, f.data.y, {.batch_size = 32, .verbose = 0, .callbacks = {f.recorder}});
  f.model.predict(f.data.x, {.batch_size = 40, .verbose = 0, .callbacks = {f.recorder}});
  CHECK(f.recorder->calls == std::vector<std::string>{"test_begin", "test_batch_begin 0", "test_batch_end 0",
                                                      "test_batch_begin 1", "test_batch_end 1", "test_end",
                                                      "predict_begin", "predict_batch_begin 0", "predict_batch_end 0",
                                                      "predict_end"});
}

TEST_CASE("params tell a callback the epochs, steps and verbosity of the run") {
  Fixture f;
  f.model.fit(f.data.x, f.data.y, {.epochs = 2, .batch_size = 16, .verbose = 0, .callbacks = {f.recorder}});
  CHECK(f.recorder->params().epochs == 2);
  CHECK(f.recorder->params().steps == 3);
  CHECK(f.recorder->params().verbose == 0);
  CHECK(&f.recorder->model() == &f.model);
}

TEST_CASE("a callback not attached to a run has no model") {
  const Recorder recorder;
  CHECK_THROWS_WITH_AS(recorder.model(), doctest::Contains("received one that is not attached"), tkeras::Error);
}

TEST_CASE("batch hooks receive empty logs unless a callback asks for batch logs") {
  struct BatchLogs : tkeras::callbacks::Callback {
    bool wants = false;
    std::vector<tkeras::Logs> seen;
    void on_train_batch_end(int64_t, const tkeras::Logs& logs) override { seen.push_back(logs); }
    bool wants_batch_logs() const override { return wants; }
  };
  Fixture f;
  auto quiet = std::make_shared<BatchLogs>();
  f.model.fit(f.data.x, f.data.y, {.batch_size = 20, .verbose = 0, .callbacks = {quiet}});
  CHECK(quiet->seen == std::vector<tkeras::Logs>(2));

  auto asking = std::make_shared<BatchLogs>();
  asking->wants = true;
  const tkeras::History history =
      f.model.fit(f.data.x, f.data.y, {.batch_size = 20, .verbose = 0, .callbacks = {asking}});
  REQUIRE(asking->seen.size() == 2);
  CHECK(asking->seen[0].contains("loss"));
  // The last batch's running mean is the epoch's loss, as in Keras.
  CHECK(asking->seen[1].at("loss") == doctest::Approx(history.history.at("loss")[0]));
}
