// Tests for EarlyStopping, pinning Keras's behaviour on scripted logs and on real runs.
#include "tkeras/callbacks/early_stopping.h"

#include <iostream>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/callbacks/lambda_callback.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/sgd.h"

namespace cb = tkeras::callbacks;

namespace {

// Feeds `values` of `monitor` to the callback epoch by epoch, as fit would, and returns the
// epoch at which it stopped training (-1 if it never did).
int run_scripted(cb::EarlyStopping& stopping, const std::string& monitor, const std::vector<double>& values) {
  tkeras::Sequential model;
  stopping.set_model(model);
  stopping.on_train_begin({});
  for (int epoch = 0; epoch < static_cast<int>(values.size()); ++epoch) {
    stopping.on_epoch_end(epoch, {{monitor, values[static_cast<size_t>(epoch)]}});
    if (model.stop_training) return epoch;
  }
  return -1;
}

}  // namespace

TEST_CASE("EarlyStopping stops after patience epochs without improvement") {
  cb::EarlyStopping stopping({.patience = 2});
  CHECK(run_scripted(stopping, "val_loss", {1.0, 0.9, 0.95, 0.96, 0.97}) == 3);
  CHECK(stopping.stopped_epoch() == 3);
  CHECK(stopping.best() == 0.9);
  CHECK(stopping.best_epoch() == 1);
}

TEST_CASE("with patience 0 the first epoch that does not improve stops training") {
  cb::EarlyStopping stopping;
  CHECK(run_scripted(stopping, "val_loss", {1.0, 0.8, 0.8}) == 2);
}

TEST_CASE("changes smaller than min_delta are not improvements") {
  cb::EarlyStopping strict({.min_delta = 0.1, .patience = 1});
  CHECK(run_scripted(strict, "val_loss", {1.0, 0.95, 0.92}) == 1);
  cb::EarlyStopping loose({.min_delta = 0.01, .patience = 1});
  CHECK(run_scripted(loose, "val_loss", {1.0, 0.95, 0.92}) == -1);
}

TEST_CASE("mode auto watches accuracy going up and losses going down") {
  cb::EarlyStopping accuracy({.monitor = "val_accuracy"});
  CHECK(run_scripted(accuracy, "val_accuracy", {0.5, 0.6, 0.55}) == 2);
  cb::EarlyStopping forced({.monitor = "val_accuracy", .mode = "min"});
  CHECK(run_scripted(forced, "val_accuracy", {0.5, 0.6}) == 1);
  CHECK_THROWS_WITH_AS(cb::EarlyStopping({.monitor = "val_score"}),
                       "EarlyStopping: cannot tell whether \"val_score\" should go up or down; pass mode \"max\" or "
                       "\"min\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(cb::EarlyStopping({.mode = "up"}),
                       "EarlyStopping: expected mode \"auto\", \"min\" or \"max\", received \"up\"", tkeras::Error);
}

TEST_CASE("improvements that do not beat the baseline still count towards patience") {
  cb::EarlyStopping with_baseline({.patience = 2, .baseline = 0.5});
  CHECK(run_scripted(with_baseline, "val_loss", {0.8, 0.7, 0.75}) == 2);
  cb::EarlyStopping without({.patience = 2});
  CHECK(run_scripted(without, "val_loss", {0.8, 0.7, 0.75}) == -1);
}

TEST_CASE("epochs before start_from_epoch are not watched") {
  cb::EarlyStopping stopping({.start_from_epoch = 2});
  CHECK(run_scripted(stopping, "val_loss", {1.0, 2.0, 3.0, 2.5, 2.6}) == 4);
}

TEST_CASE("a monitor missing from the logs is a warning listing the available keys") {
  cb::EarlyStopping stopping({.monitor = "val_loss"});
  std::ostringstream captured;
  std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
  const int stopped = run_scripted(stopping, "loss", {1.0, 2.0});
  std::cerr.rdbuf(old);
  CHECK(stopped == -1);
  CHECK(captured.str().find("metric \"val_loss\" which is not available. Available metrics are: loss") !=
        std::string::npos);
}

TEST_CASE("restore_best_weights restores the exact tensors of the best epoch, also after the last epoch") {
  tkeras::utils::set_random_seed(8);
  const auto data = tkeras::testing::blobs(60, 3, 4, 30);
  tkeras::Sequential model({tkeras::layers::Dense(3, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::SGD({.learning_rate = 0.5}),
                 .loss = "sparse_categorical_crossentropy",
                 .device = "cpu"});
  std::vector<std::vector<torch::Tensor>> weights_by_epoch;
  std::vector<double> loss_by_epoch;
  auto recorder = std::make_shared<cb::LambdaCallback>(
      cb::LambdaCallbackOptions{.on_epoch_end = [&](int, const tkeras::Logs& logs) {
        weights_by_epoch.push_back(model.get_weights());
        loss_by_epoch.push_back(logs.at("val_loss"));
      }});
  auto stopping =
      std::make_shared<cb::EarlyStopping>(cb::EarlyStoppingOptions{.patience = 100, .restore_best_weights = true});
  // Validating against shifted labels makes val_loss worsen as training learns: the best epoch
  // is an early one, and training still runs to the last epoch.
  const torch::Tensor wrong_labels = (data.y + 1) % 3;
  model.fit(data.x, data.y,
            {.epochs = 8,
             .batch_size = 4,
             .validation_data = {data.x, wrong_labels},
             .verbose = 0,
             .callbacks = {recorder, stopping}});
  CHECK(stopping->stopped_epoch() == 0);
  const auto best = std::min_element(loss_by_epoch.begin(), loss_by_epoch.end()) - loss_by_epoch.begin();
  CHECK(stopping->best_epoch() == best);
  CHECK(best < 7);
  const auto restored = model.get_weights();
  for (size_t i = 0; i < restored.size(); ++i) CHECK(torch::equal(restored[i], weights_by_epoch[best][i]));
  CHECK_FALSE(torch::equal(restored[0], weights_by_epoch.back()[0]));
}

TEST_CASE("one EarlyStopping serves two fits, resetting its state when training begins") {
  const auto data = tkeras::testing::blobs(40, 2, 3, 31);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  auto stopping = std::make_shared<cb::EarlyStopping>(cb::EarlyStoppingOptions{.monitor = "loss", .patience = 50});
  model.fit(data.x, data.y, {.epochs = 3, .verbose = 0, .callbacks = {stopping}});
  const double first_best = stopping->best();
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0, .callbacks = {stopping}});
  CHECK(stopping->best_epoch() == 0);
  CHECK(stopping->best() < first_best);
  CHECK(stopping->wait() == 0);
}
