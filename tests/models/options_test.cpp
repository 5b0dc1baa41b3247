// Tests for the option structs' documented defaults.
#include "tkeras/models/options.h"

#include <doctest/doctest.h>

#include "tkeras/core/error.h"
#include "tkeras/optimizers/adam.h"

TEST_CASE("compile defaults to rmsprop, no loss, no metrics, on the best device, as Keras") {
  const tkeras::CompileOptions options;
  CHECK(options.optimizer.name() == "rmsprop");
  CHECK_FALSE(options.loss);
  CHECK(options.loss_weights.empty());
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
  CHECK(compile.loss.losses().front().name() == "sparse_categorical_crossentropy");
  CHECK_FALSE(compile.loss.per_output());
  REQUIRE(compile.metrics.all().size() == 1);
  CHECK(compile.metrics.all().front().name() == "accuracy");
  CHECK(compile.metrics.all().front().is_name());
  const tkeras::FitOptions fit{.epochs = 10, .batch_size = 64, .validation_split = 0.1, .shuffle = false};
  CHECK(fit.batch_size == 64);
  CHECK(tkeras::EvaluateOptions{.batch_size = 128}.verbose == 1);
  CHECK(tkeras::PredictOptions{}.batch_size == 32);
}

TEST_CASE("compile takes a loss, loss weights and metrics per output by name, as Keras's dicts") {
  const tkeras::CompileOptions compile{.optimizer = "adam",
                                       .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                                       .loss_weights = {{"label", 1.0}, {"size", 0.5}},
                                       .metrics = {{"label", {"accuracy"}}}};
  CHECK(compile.loss.per_output());
  CHECK(compile.loss.names() == std::vector<std::string>{"label", "size"});
  CHECK(compile.loss.losses()[1].name() == "mean_squared_error");
  CHECK(compile.loss_weights.at("size") == 0.5);
  REQUIRE(compile.metrics.named().at("label").size() == 1);
  CHECK(compile.metrics.named().at("label").front().name() == "accuracy");
  CHECK(compile.metrics.all().empty());
}

TEST_CASE("data is one tensor, a list by position or a map by name") {
  const tkeras::Data one = torch::zeros({2, 3});
  CHECK_FALSE(one.list());
  CHECK(one.size() == 1);
  const tkeras::Data list = {torch::zeros({2}), torch::ones({2})};
  CHECK(list.list());
  CHECK_FALSE(list.named());
  CHECK(torch::equal(list[1], torch::ones({2})));
  const tkeras::Data named = {{"meta", torch::ones({2})}, {"image", torch::zeros({2})}};
  CHECK(named.names() == std::vector<std::string>{"image", "meta"});
  CHECK(torch::equal(named["meta"], torch::ones({2})));
  CHECK_THROWS_WITH_AS(named["label"], doctest::Contains("no tensor named \"label\"; the names are: image, meta"),
                       tkeras::Error);
}
