// Tests for ReduceLROnPlateau, pinning Keras's patience, cooldown and min_lr on scripted logs.
#include "tkeras/callbacks/reduce_lr_on_plateau.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/sgd.h"

namespace cb = tkeras::callbacks;

namespace {

// Feeds `values` of val_loss epoch by epoch and returns the learning rate after each epoch.
std::vector<double> rates_after(cb::ReduceLROnPlateau& reduce, const std::vector<double>& values) {
  tkeras::Sequential model({tkeras::layers::Dense(1)});
  model.compile({.optimizer = tkeras::optimizers::SGD({.learning_rate = 1.0}), .loss = "mse", .device = "cpu"});
  reduce.set_model(model);
  reduce.on_train_begin({});
  std::vector<double> rates;
  for (int epoch = 0; epoch < static_cast<int>(values.size()); ++epoch) {
    reduce.on_epoch_end(epoch, {{"val_loss", values[static_cast<size_t>(epoch)]}});
    rates.push_back(model.learning_rate());
  }
  return rates;
}

}  // namespace

TEST_CASE("ReduceLROnPlateau multiplies the rate by factor after patience epochs without improvement") {
  cb::ReduceLROnPlateau reduce({.factor = 0.5, .patience = 2});
  CHECK(rates_after(reduce, {1.0, 1.0, 1.0, 1.0, 1.0}) == std::vector<double>{1.0, 1.0, 0.5, 0.5, 0.25});
}

TEST_CASE("improvements smaller than min_delta do not reset the wait") {
  cb::ReduceLROnPlateau reduce({.factor = 0.5, .patience = 1, .min_delta = 0.1});
  CHECK(rates_after(reduce, {1.0, 0.95, 0.7}) == std::vector<double>{1.0, 0.5, 0.5});
}

TEST_CASE("cooldown pauses watching after a reduction") {
  cb::ReduceLROnPlateau reduce({.factor = 0.5, .patience = 1, .cooldown = 2});
  // Reduced at epoch 1; epochs 2 and 3 cool down (the counter reaches 0 during epoch 3, which then
  // watches again, as in Keras), so the next reduction comes at epoch 3.
  CHECK(rates_after(reduce, {1.0, 1.0, 1.0, 1.0, 1.0}) == std::vector<double>{1.0, 0.5, 0.5, 0.25, 0.25});
}

TEST_CASE("the rate never goes below min_lr") {
  cb::ReduceLROnPlateau reduce({.factor = 0.1, .patience = 1, .min_lr = 0.05});
  CHECK(rates_after(reduce, {1.0, 1.0, 1.0, 1.0}) == std::vector<double>{1.0, 0.1, 0.05, 0.05});
}

TEST_CASE("bad ReduceLROnPlateau options fail when it is made") {
  CHECK_THROWS_WITH_AS(cb::ReduceLROnPlateau({.factor = 1.0}),
                       "ReduceLROnPlateau: expected a factor in (0, 1), received 1", tkeras::Error);
  CHECK_THROWS_WITH_AS(cb::ReduceLROnPlateau({.mode = "lower"}), doctest::Contains("received \"lower\""),
                       tkeras::Error);
}

TEST_CASE("in a fit the rate changes in place and every epoch logs the rate it used") {
  const auto data = tkeras::testing::blobs(40, 2, 3, 50);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "sparse_categorical_crossentropy",
                 .device = "cpu"});
  // mode max on a falling loss: no improvement after the first epoch, so the rate halves from then on.
  auto reduce = std::make_shared<cb::ReduceLROnPlateau>(
      cb::ReduceLROnPlateauOptions{.monitor = "loss", .factor = 0.5, .patience = 1, .mode = "max"});
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 4, .verbose = 0, .callbacks = {reduce}});
  const std::vector<double>& rates = history.history.at("learning_rate");
  CHECK(rates.size() == 4);
  // Each epoch logs the rate it trained with; the reduction at its end shows in the next one.
  CHECK(rates[0] == doctest::Approx(0.01));
  CHECK(rates[1] == doctest::Approx(0.01));
  CHECK(rates[2] == doctest::Approx(0.005));
  CHECK(rates[3] == doctest::Approx(0.0025));
  CHECK(model.optimizer().learning_rate() == doctest::Approx(0.00125));
  CHECK(model.learning_rate() == doctest::Approx(0.00125));
}
