// Tests for the option structs' documented defaults.
#include "tkeras/models/options.h"

#include <doctest/doctest.h>

#include "tkeras/optimizers/adam.h"

TEST_CASE("compile defaults to rmsprop, no loss, no metrics, on the best device, as Keras") {
  const tkeras::CompileOptions options;
  CHECK(options.optimizer.name() == "rmsprop");
  CHECK_FALSE(options.loss.has_value());
  CHECK(options.metrics.empty());
  CHECK(options.device == "auto");
  CHECK_FALSE(options.jit);
  CHECK(options.precision == "float32");
}

TEST_CASE("fit defaults to one shuffled epoch of batches of 32 with progress lines") {
  const tkeras::FitOptions options;
  CHECK(options.epochs == 1);
  CHECK(options.batch_size == 32);
  CHECK(options.validation_split == 0.0);
  CHECK_FALSE(options.validation_data.x.defined());
  CHECK(options.shuffle);
  CHECK(options.verbose == 1);
  CHECK(options.callbacks.empty());
  CHECK(options.initial_epoch == 0);
}

TEST_CASE("options take Keras's keyword arguments as designated initializers, in Keras's order") {
  const tkeras::CompileOptions compile{.optimizer = tkeras::optimizers::Adam({.learning_rate = 1e-3}),
                                       .loss = "sparse_categorical_crossentropy",
                                       .metrics = {"accuracy"},
                                       .device = "cpu"};
  CHECK(compile.loss->name() == "sparse_categorical_crossentropy");
  const tkeras::FitOptions fit{.epochs = 10, .batch_size = 64, .validation_split = 0.1, .shuffle = false};
  CHECK(fit.batch_size == 64);
  CHECK(tkeras::EvaluateOptions{.batch_size = 128}.verbose == 1);
  CHECK(tkeras::PredictOptions{}.batch_size == 32);
}
