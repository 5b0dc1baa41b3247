// Tests for Model: compile, fit, evaluate, predict, summary, and every bad input refused before training.
#include "tkeras/models/model.h"

#include <set>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/callbacks/lambda_callback.h"
#include "tkeras/callbacks/learning_rate_scheduler.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/random_flip.h"
#include "tkeras/layers/random_rotation.h"
#include "tkeras/layers/random_translation.h"
#include "tkeras/layers/random_zoom.h"
#include "tkeras/layers/reshape.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/rmsprop.h"
#include "tkeras/optimizers/sgd.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;

namespace {

tkeras::CompileOptions classifier_options() {
  return {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"};
}

}  // namespace

TEST_CASE("fit learns separable classes and evaluate reports the same metrics") {
  tkeras::utils::set_random_seed(1);
  const auto train = tkeras::testing::blobs(300, 3, 4, 11);
  tkeras::Sequential model({layers::Dense(16, "relu"), layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  const tkeras::History history = model.fit(train.x, train.y, {.epochs = 15, .batch_size = 16, .verbose = 0});
  const auto& loss = history.history.at("loss");
  CHECK(loss.back() < loss.front() / 2);
  CHECK(history.history.at("accuracy").back() > 0.95);
  const tkeras::Logs scores = model.evaluate(train.x, train.y, {.verbose = 0});
  CHECK(scores.at("accuracy") > 0.95);
  CHECK(scores.at("loss") == doctest::Approx(loss.back()).epsilon(0.5));
}

TEST_CASE("evaluate's loss is the sample-weighted mean over batches, as Keras's") {
  const auto data = tkeras::testing::blobs(37, 2, 3, 12);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const tkeras::Logs batched = model.evaluate(data.x, data.y, {.batch_size = 8, .verbose = 0});
  const tkeras::Logs whole = model.evaluate(data.x, data.y, {.batch_size = 37, .verbose = 0});
  CHECK(batched.at("loss") == doctest::Approx(whole.at("loss")));
  CHECK(batched.at("accuracy") == doctest::Approx(whole.at("accuracy")));
}

TEST_CASE("predict returns softmax rows that sum to 1, on the device x came from") {
  const auto data = tkeras::testing::blobs(50, 4, 6, 13);
  tkeras::Sequential model({layers::Dense(4, "softmax")});
  const torch::Tensor p = model.predict(data.x, {.batch_size = 16, .verbose = 0});
  CHECK(p.sizes().vec() == std::vector<int64_t>{50, 4});
  CHECK(torch::allclose(p.sum(1), torch::ones({50})));
  CHECK(p.device() == data.x.device());
  CHECK(torch::allclose(p, model(data.x)));
}

TEST_CASE("binary classification with a sigmoid output and accuracy resolved to binary accuracy") {
  tkeras::utils::set_random_seed(2);
  const auto data = tkeras::testing::blobs(200, 2, 2, 14);
  tkeras::Sequential model({layers::Dense(8, "relu"), layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "binary_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu"});
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 20, .batch_size = 8, .verbose = 0});
  CHECK(history.history.at("accuracy").back() > 0.9);
  const torch::Tensor p = model.predict(data.x, {.verbose = 0});
  CHECK(p.sizes().vec() == std::vector<int64_t>{200, 1});
  // Binary accuracy is the share of probabilities on the right side of 0.5.
  const double expected = (p.squeeze(1) > 0.5).eq(data.y).to(torch::kFloat64).mean().item<double>();
  CHECK(model.evaluate(data.x, data.y, {.verbose = 0}).at("accuracy") == doctest::Approx(expected));
}

TEST_CASE("categorical cross-entropy trains on one-hot targets with categorical accuracy") {
  tkeras::utils::set_random_seed(3);
  const auto data = tkeras::testing::blobs(200, 3, 4, 15);
  const torch::Tensor one_hot = torch::one_hot(data.y, 3).to(torch::kFloat32);
  tkeras::Sequential model({layers::Dense(3, "softmax")});
  model.compile({.optimizer = "adam", .loss = "categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
  const tkeras::History history = model.fit(data.x, one_hot, {.epochs = 20, .verbose = 0});
  CHECK(history.history.at("accuracy").back() > 0.9);
}

TEST_CASE("regression with mean squared error and mae fits a linear function") {
  tkeras::utils::set_random_seed(4);
  const torch::Tensor x = torch::rand({256, 2});
  const torch::Tensor y = x.matmul(torch::tensor({{2.0f}, {-1.0f}})) + 0.5;
  tkeras::Sequential model({layers::Dense(1)});
  model.compile({.optimizer = tkeras::optimizers::SGD({.learning_rate = 0.1}),
                 .loss = "mse",
                 .metrics = {"mae"},
                 .device = "cpu"});
  const tkeras::History history = model.fit(x, y, {.epochs = 60, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("loss").back() < 1e-3);
  CHECK(history.history.at("mae").back() < 0.05);
}

TEST_CASE("validation_split holds out the last samples and validation_data overrides it") {
  const auto data = tkeras::testing::blobs(100, 2, 3, 16);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const tkeras::History split = model.fit(data.x, data.y, {.validation_split = 0.2, .verbose = 0});
  const tkeras::Logs last = model.evaluate(data.x.slice(0, 80), data.y.slice(0, 80), {.verbose = 0});
  CHECK(split.history.at("val_loss").size() == 1);
  const tkeras::History given = model.fit(data.x, data.y,
                                          {.validation_split = 0.5,
                                           .validation_data = {data.x.slice(0, 10), data.y.slice(0, 10)},
                                           .shuffle = false,
                                           .verbose = 0});
  CHECK(given.history.contains("val_accuracy"));
  CHECK(last.contains("loss"));
}

TEST_CASE("the same seed gives the same training run") {
  const auto data = tkeras::testing::blobs(64, 3, 5, 17);
  auto run = [&] {
    tkeras::utils::set_random_seed(99);
    tkeras::Sequential model({layers::Dense(8, "tanh"), layers::Dense(3, "softmax")});
    model.compile(classifier_options());
    return model.fit(data.x, data.y, {.epochs = 3, .verbose = 0}).history.at("loss");
  };
  CHECK(run() == run());
}

TEST_CASE("integer inputs such as raw uint8 pixels are converted to float32") {
  const torch::Tensor x = torch::randint(0, 256, {10, 4, 4}, torch::kUInt8);
  tkeras::Sequential model({layers::Flatten(), layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  CHECK_NOTHROW(model.fit(x, torch::randint(0, 2, {10}, torch::kLong), {.verbose = 0}));
}

TEST_CASE("a recompiled model starts a fresh optimizer and keeps its weights") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 18);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  CHECK_THROWS_WITH_AS(model.optimizer(), doctest::Contains("optimizer() needs compile() first"), tkeras::Error);
  model.compile(classifier_options());
  CHECK(model.optimizer_iterations() == 0);
  model.fit(data.x, data.y, {.batch_size = 8, .verbose = 0});
  CHECK(model.optimizer_iterations() == 3);  // 20 samples in batches of 8
  CHECK(model.optimizer().name() == "adam");
  const torch::Tensor kernel = model.trainable_weights()[0].detach().clone();
  model.compile(classifier_options());
  CHECK(model.optimizer_iterations() == 0);
  CHECK(torch::equal(model.trainable_weights()[0], kernel));
}

TEST_CASE("summary prints Keras's table with 101,770 parameters for the course's model") {
  tkeras::Sequential model(
      {layers::Input({28, 28}), layers::Flatten(), layers::Dense(128, "relu"), layers::Dense(10, "softmax")});
  std::ostringstream out;
  const std::string table = model.summary(out);
  CHECK(table == out.str());
  CHECK(table.starts_with(fmt::format("Model: \"{}\"\n", model.name())));
  CHECK(table.find("(None, 784)") != std::string::npos);
  CHECK(table.find("100,480") != std::string::npos);
  CHECK(table.find(" Total params: 101,770 (397.54 KB)\n") != std::string::npos);
  CHECK(table.find(" Trainable params: 101,770 (397.54 KB)\n") != std::string::npos);
  CHECK(table.find(" Non-trainable params: 0 (0.00 B)\n") != std::string::npos);
  CHECK(model.count_params() == 101770);
}

TEST_CASE("summary shows Keras's shapes and 243,786 parameters for the course's convolutional model") {
  tkeras::Sequential model({layers::Input({28, 28, 1}), layers::Conv2D(64, 3, {.activation = "relu"}),
                            layers::MaxPooling2D(2), layers::Conv2D(64, 3, {.activation = "relu"}),
                            layers::MaxPooling2D(2), layers::Flatten(), layers::Dense(128, "relu"),
                            layers::Dense(10, "softmax")});
  std::ostringstream out;
  const std::string table = model.summary(out);
  for (const char* shape : {"(None, 26, 26, 64)", "(None, 13, 13, 64)", "(None, 11, 11, 64)", "(None, 5, 5, 64)",
                            "(None, 1600)", "36,928", "204,928"}) {
    CAPTURE(shape);
    CHECK(table.find(shape) != std::string::npos);
  }
  CHECK(table.find(" Total params: 243,786 (952.29 KB)\n") != std::string::npos);
}

TEST_CASE("parameter counts and output shapes equal Keras's for a table of models") {
  struct Case {
    const char* what;
    tkeras::Shape input;
    std::vector<layers::AnyLayer> layers;
    tkeras::Shape output;
    int64_t params;
    int64_t trainable;
  };
  const std::vector<Case> cases = {
      {"strided same conv",
       {28, 28, 1},
       {layers::Conv2D(8, 3, {.strides = 2, .padding = "same"})},
       {14, 14, 8},
       80,
       80},
      {"rectangular kernel", {7, 9, 2}, {layers::Conv2D(4, {3, 5})}, {5, 5, 4}, 124, 124},
      {"even kernel, same", {5, 5, 3}, {layers::Conv2D(16, 4, {.padding = "same"})}, {5, 5, 16}, 784, 784},
      {"no bias", {28, 28, 1}, {layers::Conv2D(8, 3, {.use_bias = false})}, {26, 26, 8}, 72, 72},
      {"same pooling of an odd size", {5, 5, 16}, {layers::MaxPooling2D(2, {.padding = "same"})}, {3, 3, 16}, 0, 0},
      {"strided pooling", {7, 7, 2}, {layers::MaxPooling2D(3, {.strides = 2})}, {3, 3, 2}, 0, 0},
      {"global pooling", {3, 3, 16}, {layers::GlobalAveragePooling2D()}, {16}, 0, 0},
      {"batch normalization", {10}, {layers::BatchNormalization()}, {10}, 40, 20},
      {"reshape then conv", {784}, {layers::Reshape({28, 28, 1}), layers::Conv2D(32, 5)}, {24, 24, 32}, 832, 832},
      {"dense after dropout", {20}, {layers::Dropout(0.2), layers::Dense(5)}, {5}, 105, 105},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    tkeras::Sequential model(c.layers);
    model.build(c.input);
    CHECK(model.output_shape() == c.output);
    CHECK(model.count_params() == c.params);
    int64_t trainable = 0;
    for (const torch::Tensor& weight : model.trainable_weights()) trainable += weight.numel();
    CHECK(trainable == c.trainable);
  }
}

TEST_CASE("Dropout is active in fit only: evaluate and predict are deterministic") {
  const auto data = tkeras::testing::blobs(32, 2, 4, 22);
  tkeras::Sequential model({layers::Dense(16, "relu"), layers::Dropout(0.5), layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  const torch::Tensor first = model.predict(data.x, {.verbose = 0});
  CHECK(torch::equal(first, model.predict(data.x, {.verbose = 0})));
  const torch::NoGradGuard no_grad;
  CHECK_FALSE(torch::equal(model.call(data.x, /*training=*/true), first));
  CHECK(model.evaluate(data.x, data.y, {.verbose = 0}) == model.evaluate(data.x, data.y, {.verbose = 0}));
}

TEST_CASE("a small convolutional network trains on images end to end") {
  tkeras::utils::set_random_seed(5);
  // Bright top half or bright bottom half: a task a convolution and pooling solve quickly.
  const torch::Tensor y = torch::randint(0, 2, {64}, torch::kLong);
  torch::Tensor x = torch::rand({64, 8, 8}) * 0.2;
  x.slice(1, 0, 4) += (y == 0).to(torch::kFloat32).view({64, 1, 1});
  x.slice(1, 4, 8) += (y == 1).to(torch::kFloat32).view({64, 1, 1});
  x = x.unsqueeze(-1);  // one channel
  tkeras::Sequential model({layers::Input({8, 8, 1}), layers::Conv2D(4, 3, {.padding = "same", .activation = "relu"}),
                            layers::BatchNormalization(), layers::MaxPooling2D(2), layers::Flatten(),
                            layers::Dense(2, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu"});
  const tkeras::History history = model.fit(x, y, {.epochs = 15, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("accuracy").back() > 0.95);
  CHECK(model.evaluate(x, y, {.verbose = 0}).at("accuracy") > 0.95);
}

TEST_CASE("summary of an unbuilt model shows unknown shapes") {
  tkeras::Sequential model({layers::Dense(3)});
  std::ostringstream out;
  CHECK(model.summary(out).find("0 (unbuilt)") != std::string::npos);
}

// Every bad input is refused with a clear tkeras::Error before any training starts.
TEST_CASE("fit and evaluate before compile ask for compile") {
  const auto data = tkeras::testing::blobs(8, 2, 3, 19);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  const std::string expected = fmt::format(
      "Sequential \"{}\": fit() needs compile() first; call model.compile({{.optimizer = ..., .loss = ...}})",
      model.name());
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y), expected.c_str(), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.evaluate(data.x, data.y), doctest::Contains("evaluate() needs compile() first"),
                       tkeras::Error);
  model.compile({.optimizer = "adam", .device = "cpu"});
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y), doctest::Contains("fit() needs a loss; compile received none"),
                       tkeras::Error);
}

TEST_CASE("x and y of different lengths are refused") {
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  CHECK_THROWS_WITH_AS(model.fit(torch::zeros({10, 3}), torch::zeros({9}, torch::kLong)),
                       "fit: expected x and y with the same number of samples, received x with 10 and y with 9",
                       tkeras::Error);
}

TEST_CASE("a complex x is refused, where Keras would drop its imaginary part") {
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const torch::Tensor x = torch::complex(torch::ones({4, 3}), torch::ones({4, 3}));
  const char* expected =
      "fit: expected x of a real dtype (floating point, integer or bool), received complex ComplexFloat; pass "
      "torch::real(x), torch::view_as_real(x) or x.abs() as the data";
  CHECK_THROWS_WITH_AS(model.fit(x, torch::zeros({4}, torch::kLong), {.verbose = 0}), expected, tkeras::Error);
  CHECK_THROWS_WITH_AS(model.predict(x, {.verbose = 0}), doctest::Contains("predict: expected x of a real dtype"),
                       tkeras::Error);
}

TEST_CASE("data whose shape does not fit the model's input is refused") {
  tkeras::Sequential model({layers::Input({28, 28}), layers::Flatten(), layers::Dense(10, "softmax")});
  model.compile(classifier_options());
  CHECK_THROWS_WITH_AS(model.fit(torch::zeros({4, 784}), torch::zeros({4}, torch::kLong)),
                       fmt::format("Sequential \"{}\": expected input of shape (None, 28, 28), received x of shape "
                                   "[4, 784]",
                                   model.name())
                           .c_str(),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.predict(torch::zeros({4, 28, 27})), doctest::Contains("received x of shape [4, 28, 27]"),
                       tkeras::Error);
}

TEST_CASE("labels outside the output layer's units are refused, naming the layer") {
  layers::Dense output(10, "softmax");
  const std::string name = output.name();
  tkeras::Sequential model({layers::Flatten(), output});
  model.compile(classifier_options());
  CHECK_THROWS_WITH_AS(model.fit(torch::zeros({3, 2, 2}), torch::tensor({1, 10, 4})),
                       fmt::format("Dense \"{}\" has 10 units, so sparse_categorical_crossentropy expects labels in "
                                   "0..9; received labels from 1 to 10",
                                   name)
                           .c_str(),
                       tkeras::Error);
}

TEST_CASE("unknown optimizer, loss, metric and device names fail at compile, listing the valid ones") {
  tkeras::Sequential model({layers::Dense(2)});
  CHECK_THROWS_WITH_AS(
      model.compile({.optimizer = "adamx"}),
      doctest::Contains(
          "expected one of: adadelta, adagrad, adam, adamax, adamw, ftrl, lamb, lion, nadam, rmsprop, sgd"),
      tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.loss = "hinje"}), doctest::Contains("unknown loss \"hinje\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.metrics = {"acuracy"}}),
                       doctest::Contains("compile: unknown metric \"acuracy\"; expected accuracy, acc or one of: "),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.device = "tpu"}), doctest::Contains("unknown device \"tpu\""), tkeras::Error);
}

TEST_CASE("validation_split outside 0 <= split < 1, and splits that leave a set empty are refused") {
  const auto data = tkeras::testing::blobs(5, 2, 3, 20);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  for (double split : {-0.1, 1.0, 1.5}) {
    CAPTURE(split);
    CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.validation_split = split}),
                         fmt::format("fit: expected validation_split in [0, 1), received {}", split).c_str(),
                         tkeras::Error);
  }
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.validation_split = 0.9}),
                       doctest::Contains("5 samples cannot be split into training and validation sets"), tkeras::Error);
}

TEST_CASE("non-positive epochs and batch sizes, and empty data, are refused") {
  const auto data = tkeras::testing::blobs(5, 2, 3, 21);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.epochs = 0}), "fit: expected epochs >= 1, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.batch_size = 0}), "fit: expected a positive batch_size, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.predict(data.x, {.batch_size = -1}),
                       "predict: expected a positive batch_size, received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.epochs = 2, .initial_epoch = 2}),
                       "fit: expected initial_epoch in 0..1 (below epochs), received 2", tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(torch::zeros({0, 3}), torch::zeros({0}, torch::kLong)),
                       "fit: expected at least one sample, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(torch::Tensor(), data.y),
                       "fit: expected x as a tensor of shape [N, ...], received an undefined tensor", tkeras::Error);
}

namespace {

struct JitRun {
  tkeras::History history;
  std::vector<torch::Tensor> weights;
  int64_t iterations = 0;
};

// A seeded run on 70 samples in batches of 16 (the last one of 6), shuffled, with dropout, a
// validation split and, when `scheduled`, a learning rate that halves every epoch.
JitRun train_seeded(const tkeras::optimizers::Optimizer& optimizer, bool jit, bool scheduled) {
  const auto data = tkeras::testing::blobs(88, 3, 6, 21);
  tkeras::utils::set_random_seed(5);
  tkeras::Sequential model({layers::Dense(12, "relu"), layers::Dropout(0.2), layers::Dense(3, "softmax")});
  model.compile({.optimizer = optimizer,
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu",
                 .jit = jit});
  std::vector<std::shared_ptr<tkeras::callbacks::Callback>> callbacks;
  if (scheduled) {
    callbacks.push_back(std::make_shared<tkeras::callbacks::LearningRateScheduler>(
        [](int epoch, double learning_rate) { return epoch == 0 ? learning_rate : learning_rate / 2; }));
  }
  JitRun run{model.fit(data.x, data.y,
                       {.epochs = 4, .batch_size = 16, .validation_split = 0.2, .verbose = 0, .callbacks = callbacks}),
             model.get_weights(), model.optimizer_iterations()};
  return run;
}

void check_same_training(const JitRun& jit, const JitRun& eager) {
  CHECK(jit.iterations == eager.iterations);
  for (const auto& [key, values] : eager.history.history) {
    const std::vector<double>& jit_values = jit.history.history.at(key);
    REQUIRE(jit_values.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) CHECK(jit_values[i] == doctest::Approx(values[i]).epsilon(1e-5));
  }
  REQUIRE(jit.weights.size() == eager.weights.size());
  for (size_t i = 0; i < eager.weights.size(); ++i) {
    CHECK(torch::allclose(jit.weights[i], eager.weights[i], 1e-4, 1e-6));
  }
}

}  // namespace

TEST_CASE("jit on the CPU trains as the eager step does, within float32 rounding, for every optimizer") {
  const std::vector<std::pair<std::string, tkeras::optimizers::Optimizer>> optimizers = {
      {"adam", "adam"},
      {"adam amsgrad", tkeras::optimizers::Adam({.learning_rate = 0.01, .amsgrad = true})},
      {"sgd", "sgd"},
      {"sgd nesterov", tkeras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9, .nesterov = true})},
      {"sgd momentum", tkeras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.5})},
      {"rmsprop", "rmsprop"},
      {"rmsprop centered", tkeras::optimizers::RMSprop({.momentum = 0.5, .centered = true})},
  };
  for (const auto& [name, optimizer] : optimizers) {
    CAPTURE(name);
    const JitRun eager = train_seeded(optimizer, /*jit=*/false, /*scheduled=*/false);
    check_same_training(train_seeded(optimizer, /*jit=*/true, /*scheduled=*/false), eager);
    // 4 epochs of 70 training samples in batches of 16: 5 steps an epoch, the last one of 6.
    CHECK(eager.iterations == 20);
  }
}

TEST_CASE("jit reads the learning rate a callback sets, from the device, every step") {
  for (const char* optimizer : {"adam", "sgd", "rmsprop"}) {
    CAPTURE(optimizer);
    const JitRun eager = train_seeded(optimizer, /*jit=*/false, /*scheduled=*/true);
    check_same_training(train_seeded(optimizer, /*jit=*/true, /*scheduled=*/true), eager);
    // The schedule matters: without it the weights end elsewhere.
    const JitRun unscheduled = train_seeded(optimizer, /*jit=*/true, /*scheduled=*/false);
    CHECK_FALSE(torch::allclose(unscheduled.weights.front(), eager.weights.front(), 1e-4, 1e-6));
  }
}

TEST_CASE("bf16-mixed trains float32 weights through bfloat16 products and predicts float32") {
  const auto train = tkeras::testing::blobs(240, 3, 8, 23);
  const auto fit_with = [&](const char* precision, std::vector<torch::Tensor>* weights) {
    tkeras::utils::set_random_seed(9);
    tkeras::Sequential model({layers::Dense(32, "relu"), layers::Dense(3, "softmax")});
    model.compile({.optimizer = "adam",
                   .loss = "sparse_categorical_crossentropy",
                   .metrics = {"accuracy"},
                   .device = "cpu",
                   .precision = precision});
    const tkeras::History history = model.fit(train.x, train.y, {.epochs = 12, .batch_size = 16, .verbose = 0});
    for (const torch::Tensor& weight : model.trainable_weights()) CHECK((weight.scalar_type() == torch::kFloat32));
    const torch::Tensor predictions = model.predict(train.x, {.verbose = 0});
    CHECK((predictions.scalar_type() == torch::kFloat32));
    // The output activation runs in float32 (a bfloat16 softmax misses 1 by up to ~4e-3), on
    // CPUs with bfloat16 instructions and without them.
    CHECK(predictions.sum(1).allclose(torch::ones({240}), 0.0, 1e-5));
    // So does the loss: evaluate's equals the float32 cross-entropy of predict's probabilities.
    const double loss = model.evaluate(train.x, train.y, {.batch_size = 240, .verbose = 0}).at("loss");
    const double expected = -predictions.log().gather(1, train.y.unsqueeze(1)).mean().item<double>();
    CHECK(loss == doctest::Approx(expected).epsilon(1e-5));
    *weights = model.get_weights();
    return history;
  };
  std::vector<torch::Tensor> bf16_weights, float32_weights;
  const tkeras::History bf16 = fit_with("bf16-mixed", &bf16_weights);
  const tkeras::History float32 = fit_with("float32", &float32_weights);
  CHECK(bf16.history.at("accuracy").back() > 0.95);
  CHECK(bf16.history.at("loss").back() < bf16.history.at("loss").front() / 2);
  // Close to the float32 run, but not equal: the products ran in bfloat16 (8 bits of mantissa).
  CHECK(bf16.history.at("loss").back() == doctest::Approx(float32.history.at("loss").back()).epsilon(0.1));
  CHECK_FALSE(torch::equal(bf16_weights.front(), float32_weights.front()));
}

TEST_CASE("bf16-mixed and jit together train on the CPU and Keras's precision name is accepted") {
  const auto train = tkeras::testing::blobs(200, 3, 8, 24);
  tkeras::utils::set_random_seed(10);
  tkeras::Sequential model({layers::Dense(32, "relu"), layers::Dense(3, "softmax")});
  model.compile({.optimizer = "adam",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu",
                 .jit = true,
                 .precision = "mixed_bfloat16"});
  const tkeras::History history = model.fit(train.x, train.y, {.epochs = 10, .batch_size = 32, .verbose = 0});
  CHECK(history.history.at("accuracy").back() > 0.95);
  CHECK(model.evaluate(train.x, train.y, {.verbose = 0}).at("accuracy") > 0.95);
}

TEST_CASE("compile refuses an unknown precision, naming the ones it knows") {
  tkeras::Sequential model({layers::Dense(3, "softmax")});
  CHECK_THROWS_WITH_AS(model.compile({.loss = "mse", .precision = "float16"}),
                       doctest::Contains("unknown precision \"float16\"; expected one of: float32, 32-true, "
                                         "bf16-mixed, mixed_bfloat16"),
                       tkeras::Error);
}

// LibTorch interoperability: a model is a torch::nn::Module.

TEST_CASE("a model's named_parameters and named_buffers carry Keras's names, its layers named by kind and position") {
  tkeras::Sequential model(
      {layers::Input({6}), layers::Dense(4, "relu"), layers::BatchNormalization(), layers::Dense(2, "softmax")});
  CHECK(model.named_parameters().keys() ==
        std::vector<std::string>{"dense.kernel", "dense.bias", "batch_normalization.gamma", "batch_normalization.beta",
                                 "dense_1.kernel", "dense_1.bias"});
  CHECK(model.named_buffers().keys() ==
        std::vector<std::string>{"batch_normalization.moving_mean", "batch_normalization.moving_variance"});
  CHECK(model.named_children().keys() == std::vector<std::string>{"dense", "batch_normalization", "dense_1"});
  CHECK(model.parameters().size() == model.trainable_weights().size());
}

TEST_CASE("train() and eval() reach every layer, and forward follows them") {
  tkeras::utils::set_random_seed(2);
  tkeras::Sequential model({layers::Input({50}), layers::Dropout(0.5), layers::Dense(3)});
  const torch::Tensor x = torch::ones({4, 50});
  model.eval();
  CHECK_FALSE(model.get_layer(0)->is_training());
  const torch::NoGradGuard no_grad;
  CHECK(torch::equal(model.forward(x), model(x, /*training=*/false)));
  model.train();
  CHECK(model.get_layer(0)->is_training());
  CHECK_FALSE(torch::equal(model.forward(x), model(x, /*training=*/false)));
}

TEST_CASE("fit trains in train() mode and leaves the model in eval() mode, as Keras") {
  const auto data = tkeras::testing::blobs(32, 2, 3, 21);
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  bool trained_in_train_mode = false;
  auto watch = std::make_shared<tkeras::callbacks::LambdaCallback>(tkeras::callbacks::LambdaCallbackOptions{
      .on_train_batch_end = [&](int64_t, const tkeras::Logs&) { trained_in_train_mode = model.is_training(); }});
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0, .callbacks = {watch}});
  CHECK(trained_in_train_mode);
  CHECK_FALSE(model.is_training());
}

TEST_CASE("to(device) moves every weight in place and makes it the model's device") {
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2)});
  const torch::Tensor kernel = model.named_parameters()["dense.kernel"];
  model.to(torch::kCPU);
  CHECK(model.device() == torch::Device(torch::kCPU));
  CHECK(model.named_parameters()["dense.kernel"].is_same(kernel));
  model.to(torch::kFloat64);
  CHECK(kernel.dtype() == torch::kFloat64);
}

TEST_CASE("LibTorch's torch::save and torch::load round-trip a trained model bit for bit") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(64, 3, 4, 22);
  auto model = std::make_shared<tkeras::Sequential>(std::initializer_list<layers::AnyLayer>{
      layers::Input({4}), layers::Dense(8, "relu"), layers::BatchNormalization(), layers::Dense(3, "softmax")});
  model->compile(classifier_options());
  model->fit(data.x, data.y, {.epochs = 3, .verbose = 0});
  const std::string path = (dir.path() / "model.pt").string();
  torch::save(model, path);

  auto again = std::make_shared<tkeras::Sequential>(std::initializer_list<layers::AnyLayer>{
      layers::Input({4}), layers::Dense(8, "relu"), layers::BatchNormalization(), layers::Dense(3, "softmax")});
  torch::load(again, path);
  const auto ours = model->named_weights();
  const auto theirs = again->named_weights();
  REQUIRE(ours.size() == theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    CAPTURE(ours[i].first);
    CHECK(theirs[i].first == ours[i].first);
    CHECK(torch::equal(theirs[i].second, ours[i].second));
  }
  CHECK(torch::equal(again->predict(data.x, {.verbose = 0}), model->predict(data.x, {.verbose = 0})));
}

namespace {

// A user's LibTorch module with a tkeras model inside, trained by a hand-written torch::optim loop.
struct Classifier : torch::nn::Module {
  std::shared_ptr<tkeras::Sequential> body;
  torch::nn::Linear head{nullptr};
  Classifier() {
    body = register_module("body", std::make_shared<tkeras::Sequential>(std::initializer_list<layers::AnyLayer>{
                                       layers::Input({4}), layers::Dense(16, "relu"), layers::Dense(8, "relu")}));
    head = register_module("head", torch::nn::Linear(8, 3));
  }
  torch::Tensor forward(const torch::Tensor& x) { return head(body->forward(x)); }
};

}  // namespace

TEST_CASE("a tkeras model trains as a submodule of a user's module, with a hand-written torch::optim loop") {
  tkeras::utils::set_random_seed(23);
  const auto data = tkeras::testing::blobs(256, 3, 4, 23);
  auto net = std::make_shared<Classifier>();
  CHECK(net->named_parameters().contains("body.dense.kernel"));
  CHECK(net->parameters().size() == 6);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(0.01));
  const torch::Tensor kernel_before = net->body->get_layer(0)->weights()[0].value.detach().clone();
  net->train();
  double first_loss = 0.0, last_loss = 0.0;
  for (int epoch = 0; epoch < 30; ++epoch) {
    optimizer.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(data.x), data.y);
    loss.backward();
    optimizer.step();
    (epoch == 0 ? first_loss : last_loss) = loss.item<double>();
  }
  CHECK(last_loss < first_loss / 4);
  // The optimizer moved the tkeras layer's own weights.
  CHECK_FALSE(torch::equal(net->body->get_layer(0)->weights()[0].value, kernel_before));
  net->eval();
  const torch::NoGradGuard no_grad;
  const double accuracy = (net->forward(data.x).argmax(1) == data.y).to(torch::kFloat64).mean().item<double>();
  CHECK(accuracy > 0.9);
}

TEST_CASE("tkeras's own optimizer updates the very tensors the module exposes") {
  const auto data = tkeras::testing::blobs(64, 2, 3, 24);
  tkeras::Sequential model({layers::Input({3}), layers::Dense(4, "relu"), layers::Dense(2, "softmax")});
  const std::vector<torch::Tensor> parameters = model.parameters();
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& parameter : parameters) before.push_back(parameter.detach().clone());
  model.compile(classifier_options());
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  const std::vector<torch::Tensor> after = model.parameters();
  REQUIRE(after.size() == parameters.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    CHECK(after[i].is_same(parameters[i]));               // the same tensors...
    CHECK_FALSE(torch::equal(parameters[i], before[i]));  // ...trained in place
  }
  // And the model computes with them: a LibTorch forward pass by hand agrees with predict.
  const torch::NoGradGuard no_grad;
  const torch::Tensor hidden = torch::relu(torch::addmm(parameters[1], data.x, parameters[0]));
  const torch::Tensor expected = torch::softmax(torch::addmm(parameters[3], hidden, parameters[2]), -1);
  CHECK(torch::allclose(model.predict(data.x, {.verbose = 0}), expected, 1e-5, 1e-6));
}

// --- datasets ---

namespace {

using tkeras::data::Dataset;
using tkeras::data::Element;

struct SeededRun {
  tkeras::History history;
  std::vector<torch::Tensor> weights;
};

template <typename Fit>
SeededRun seeded_classifier_run(Fit fit) {
  tkeras::utils::set_random_seed(21);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  SeededRun run{fit(model), {}};
  for (const torch::Tensor& weight : model.get_weights()) run.weights.push_back(weight.clone());
  return run;
}

// A generator of `batches` batches of `data`, 10 rows each, counting the batches it gives out.
Dataset counted_batches(const tkeras::testing::Blobs& data, int64_t batches, std::shared_ptr<int64_t> given) {
  return Dataset::from_generator([data, batches, given] {
    return [data, batches, given, i = int64_t{0}]() mutable -> std::optional<Element> {
      if (i == batches) return std::nullopt;
      ++*given;
      const int64_t start = (i++ * 10) % data.x.size(0);
      return Element{data.x.narrow(0, start, 10), data.y.narrow(0, start, 10)};
    };
  });
}

std::string captured_stderr(const std::function<void()>& body) {
  std::ostringstream captured;
  std::streambuf* const previous = std::cerr.rdbuf(captured.rdbuf());
  try {
    body();
  } catch (...) {
    std::cerr.rdbuf(previous);
    throw;
  }
  std::cerr.rdbuf(previous);
  return captured.str();
}

}  // namespace

TEST_CASE("fit on a dataset of batches trains exactly as fit on the same tensors in the same order") {
  const auto data = tkeras::testing::blobs(70, 3, 4, 31);
  const SeededRun tensors = seeded_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(data.x, data.y, {.epochs = 3, .batch_size = 16, .shuffle = false, .verbose = 0});
  });
  const SeededRun dataset = seeded_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(Dataset::from_tensor_slices(data.x, data.y).batch(16).prefetch(), {.epochs = 3, .verbose = 0});
  });
  CHECK(dataset.history.history == tensors.history.history);
  REQUIRE(dataset.weights.size() == tensors.weights.size());
  for (size_t i = 0; i < tensors.weights.size(); ++i) CHECK(torch::equal(dataset.weights[i], tensors.weights[i]));
}

TEST_CASE("fit on a dataset validates on a validation dataset, and evaluate and predict take datasets") {
  const auto data = tkeras::testing::blobs(120, 3, 4, 32);
  const auto val = tkeras::testing::blobs(45, 3, 4, 32);
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model({layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  const Dataset train = Dataset::from_tensor_slices(data.x, data.y).shuffle(120, {.seed = 1}).batch(16);
  const Dataset validation = Dataset::from_tensor_slices(val.x, val.y).batch(16);
  const tkeras::History history = model.fit(train, {.epochs = 6, .validation_data = validation, .verbose = 0});
  REQUIRE(history.history.at("val_loss").size() == 6);
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  // The last validation equals evaluate on the same data, as tensors and as a dataset.
  const tkeras::Logs on_tensors = model.evaluate(val.x, val.y, {.verbose = 0});
  const tkeras::Logs on_dataset = model.evaluate(validation, {.verbose = 0});
  CHECK(on_dataset.at("loss") == doctest::Approx(on_tensors.at("loss")).epsilon(1e-6));
  CHECK(on_dataset.at("accuracy") == doctest::Approx(on_tensors.at("accuracy")));
  CHECK(history.history.at("val_loss").back() == doctest::Approx(on_tensors.at("loss")).epsilon(1e-6));
  CHECK(model.evaluate(validation, {.verbose = 0, .steps = 1}).at("loss") != doctest::Approx(on_tensors.at("loss")));
  // predict ignores y and returns every row, on the CPU.
  const torch::Tensor predicted = model.predict(validation, {.verbose = 0});
  CHECK(torch::allclose(predicted, model.predict(val.x, {.verbose = 0}), 1e-6, 1e-7));
  CHECK(model.predict(validation, {.verbose = 0, .steps = 2}).size(0) == 32);
  CHECK(model.predict(Dataset::from_tensor_slices(val.x).batch(10), {.verbose = 0}).size(0) == 45);
}

TEST_CASE("a dataset builds the model from its first batch and integer pixels become float32") {
  tkeras::Sequential model({layers::Flatten(), layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const torch::Tensor x = torch::randint(0, 256, {12, 3, 3}, torch::kUInt8);
  const torch::Tensor y = torch::randint(0, 2, {12}, torch::kLong);
  model.fit(Dataset::from_tensor_slices(x, y).batch(5), {.verbose = 0});
  CHECK(model.input_shape() == tkeras::Shape{3, 3});
  CHECK((model.predict(Dataset::from_tensor_slices(x).batch(5), {.verbose = 0}).scalar_type() == torch::kFloat32));
}

TEST_CASE("steps_per_epoch goes on through a repeated dataset where the last epoch stopped, as Keras") {
  const auto data = tkeras::testing::blobs(40, 3, 4, 33);
  auto given = std::make_shared<int64_t>(0);
  tkeras::Sequential model({layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  int64_t steps = 0;
  auto count = std::make_shared<tkeras::callbacks::LambdaCallback>(
      tkeras::callbacks::LambdaCallbackOptions{.on_train_batch_end = [&](int64_t, const tkeras::Logs&) { ++steps; }});
  model.fit(counted_batches(data, 4, given).repeat(),
            {.epochs = 3, .verbose = 0, .callbacks = {count}, .steps_per_epoch = 3});
  CHECK(steps == 9);
  // 9 batches read from passes of 4: nothing read twice, nothing skipped, nothing read ahead.
  CHECK(*given == 9);
  CHECK(model.optimizer_iterations() == 9);
}

TEST_CASE("a dataset that runs out within steps_per_epoch ends the epoch with Keras's warning") {
  const auto data = tkeras::testing::blobs(40, 3, 4, 34);
  tkeras::Sequential model({layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  const Dataset four = Dataset::from_tensor_slices(data.x, data.y).batch(10);
  tkeras::History history;
  const std::string warnings =
      captured_stderr([&] { history = model.fit(four, {.epochs = 2, .verbose = 0, .steps_per_epoch = 3}); });
  // Epoch 1: batches 1-3; epoch 2: batch 4, then the pass is spent.
  CHECK(warnings.find("your input ran out of data after 1 of 3 batches") != std::string::npos);
  CHECK(history.history.at("loss").size() == 2);
  CHECK(model.optimizer_iterations() == 4);
}

TEST_CASE("a dataset of unknown length trains a whole pass per epoch, and stops when a pass is empty") {
  const auto data = tkeras::testing::blobs(60, 3, 4, 35);
  auto given = std::make_shared<int64_t>(0);
  tkeras::Sequential model({layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  const tkeras::History history = model.fit(counted_batches(data, 5, given), {.epochs = 3, .verbose = 0});
  CHECK(history.history.at("loss").size() == 3);
  CHECK(*given == 15);
  // A generator that gives nothing on its second pass: training stops there, as Keras.
  auto passes = std::make_shared<int>(0);
  const Dataset once = Dataset::from_generator([data, passes] {
    return [data, first = ++*passes == 1, done = false]() mutable -> std::optional<Element> {
      if (!first || done) return std::nullopt;
      done = true;
      return Element{data.x.narrow(0, 0, 10), data.y.narrow(0, 0, 10)};
    };
  });
  CHECK(model.fit(once, {.epochs = 3, .verbose = 0}).history.at("loss").size() == 1);
}

TEST_CASE("jit on the CPU trains on a dataset as the eager step does") {
  const auto data = tkeras::testing::blobs(70, 3, 4, 36);
  const Dataset batches = Dataset::from_tensor_slices(data.x, data.y).batch(16);
  auto run = [&](bool jit) {
    return seeded_classifier_run([&](tkeras::Sequential& model) {
      auto options = classifier_options();
      options.jit = jit;
      model.compile(options);
      return model.fit(batches, {.epochs = 3, .verbose = 0});
    });
  };
  const SeededRun eager = run(false);
  const SeededRun jit = run(true);
  for (size_t i = 0; i < eager.weights.size(); ++i)
    CHECK(torch::allclose(jit.weights[i], eager.weights[i], 1e-4, 1e-6));
}

TEST_CASE("datasets fit cannot read are refused before training, saying what was expected") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 37);
  tkeras::Sequential model({layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const Dataset batched = Dataset::from_tensor_slices(data.x, data.y).batch(8);
  CHECK_THROWS_WITH_AS(model.fit(batched, {.validation_split = 0.2}),
                       doctest::Contains("validation_split is only supported for tensors"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(Dataset::from_tensor_slices(data.x).batch(8)),
                       "fit: expected a dataset of (x, y) elements, received elements without y", tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(Dataset::from_tensor_slices(data.x, data.y)),
                       "fit: expected a batched dataset (elements of shape [batch, ...]), received x of shape [3] and "
                       "y of shape []; call .batch(batch_size) on it",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(batched.take(0)), "fit: expected a dataset with at least one batch, received none",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(batched.repeat()), doctest::Contains("the dataset is infinite (repeat())"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(batched, {.steps_per_epoch = 0}), "fit: expected steps >= 1, received 0",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(batched, {.validation_data = Dataset::from_tensor_slices(data.x).batch(4)}),
                       "fit (validation_data): expected a dataset of (x, y) elements, received elements without y",
                       tkeras::Error);
  CHECK(model.optimizer_iterations() == 0);
}

TEST_CASE("augmentation layers act in fit only, show in the summary, and are saved by save and load_model") {
  tkeras::utils::set_random_seed(8);
  tkeras::Sequential model({layers::Input({8, 8, 1}), layers::RandomFlip("horizontal", {.seed = 1}),
                            layers::RandomRotation(0.1, {.seed = 2}), layers::RandomZoom(0.2, {.seed = 3}),
                            layers::RandomTranslation(0.1, 0.1, {.fill_mode = "nearest"}), layers::Flatten(),
                            layers::Dense(2, "softmax")});
  model.compile(classifier_options());
  const torch::Tensor x = torch::rand({20, 8, 8, 1});
  const torch::Tensor y = torch::randint(0, 2, {20}, torch::kLong);
  model.fit(x, y, {.epochs = 2, .batch_size = 10, .verbose = 0});
  // Deterministic outside fit: the augmentation layers pass images through.
  CHECK(torch::equal(model.predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
  std::ostringstream summary;
  model.summary(summary);
  CHECK(summary.str().find("(RandomRotation)") != std::string::npos);
  const tkeras::testing::TempDir dir;
  model.save((dir.path() / "augmented.tkeras").string());
  const auto loaded = tkeras::models::load_model((dir.path() / "augmented.tkeras").string());
  // (By index: the names carry counters when other tests in this process made such layers before.)
  CHECK(loaded->get_layer(2)->class_name() == "RandomZoom");
  CHECK(loaded->get_layer(2)->get_config() == model.get_layer(2)->get_config());
  CHECK(torch::allclose(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
}

TEST_CASE("summary wraps a name too long for its column onto a second line of the row, as Keras's table") {
  tkeras::Sequential model({layers::Input({6, 6, 3}), layers::RandomTranslation(0.1, 0.1), layers::Flatten()});
  std::ostringstream out;
  model.summary(out);
  const std::string table = out.str();
  // (random_translation, or random_translation_N when other tests made some before.)
  CHECK_MESSAGE(
      table.find(fmt::format("│ {:<31} │ {:<22} │ {:>13} │\n│ {:<31} │ {:<22} │ {:>13} │\n", model.get_layer(0)->name(),
                             "(None, 6, 6, 3)", "0", "(RandomTranslation)", "", "")) != std::string::npos,
      table);
  // Every line of the table is as wide as its rules.
  std::istringstream lines(table);
  std::string line;
  std::set<size_t> widths;
  while (std::getline(lines, line)) {
    if (line.starts_with("│")) widths.insert(line.size());
  }
  CHECK(widths.size() == 1);
}

// --- sample weights and class weights ---

namespace {

// fit from seed 23 with sample weights and weighted accuracy; the history and final weights.
template <typename Fit>
SeededRun weighted_classifier_run(Fit fit, bool jit = false) {
  tkeras::utils::set_random_seed(23);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
  tkeras::CompileOptions options = classifier_options();
  options.weighted_metrics = {"accuracy"};
  options.jit = jit;
  model.compile(options);
  SeededRun run{fit(model), {}};
  for (const torch::Tensor& weight : model.get_weights()) run.weights.push_back(weight.clone());
  return run;
}

void check_same_run(const SeededRun& a, const SeededRun& b) {
  for (const auto& [key, values] : a.history.history) {
    CAPTURE(key);
    REQUIRE(b.history.history.contains(key));
    for (size_t i = 0; i < values.size(); ++i) CHECK(values[i] == doctest::Approx(b.history.history.at(key)[i]));
  }
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) CHECK(torch::allclose(a.weights[i], b.weights[i], 1e-5, 1e-6));
}

}  // namespace

TEST_CASE("evaluate with sample weights gives Keras's weighted loss and the weighted accuracy beside the plain one") {
  tkeras::utils::set_random_seed(24);
  const auto data = tkeras::testing::blobs(45, 3, 4, 40);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
  tkeras::CompileOptions options = classifier_options();
  options.weighted_metrics = {"accuracy"};
  model.compile(options);
  const torch::Tensor w = torch::rand({45}) * 3;
  const tkeras::Logs logs = model.evaluate(data.x, data.y, {.batch_size = 45, .verbose = 0, .sample_weight = w});
  const torch::Tensor p = model.predict(data.x, {.verbose = 0});
  const torch::Tensor each = -p.log().gather(1, data.y.unsqueeze(1)).squeeze(1);
  const torch::Tensor correct = p.argmax(1).eq(data.y).to(torch::kFloat32);
  CHECK(logs.at("loss") == doctest::Approx((each * w).sum().item<double>() / 45).epsilon(1e-5));
  CHECK(logs.at("accuracy") == doctest::Approx(correct.mean().item<double>()));
  CHECK(logs.at("weighted_accuracy") == doctest::Approx(((correct * w).sum() / w.sum()).item<double>()));
  // In batches, the loss is the batch-size-weighted mean of the batches' losses: the same.
  const tkeras::Logs batched = model.evaluate(data.x, data.y, {.batch_size = 8, .verbose = 0, .sample_weight = w});
  CHECK(batched.at("loss") == doctest::Approx(logs.at("loss")));
  CHECK(batched.at("weighted_accuracy") == doctest::Approx(logs.at("weighted_accuracy")));
  // Without weights the weighted accuracy is the accuracy.
  const tkeras::Logs plain = model.evaluate(data.x, data.y, {.verbose = 0});
  CHECK(plain.at("weighted_accuracy") == doctest::Approx(plain.at("accuracy")));
}

TEST_CASE("class_weight trains as the sample weights of each sample's class, for labels and one-hot targets") {
  const auto data = tkeras::testing::blobs(60, 3, 4, 41);
  const std::map<int64_t, double> class_weight = {{0, 0.5}, {2, 4.0}};  // class 1 is not listed: it weighs 1
  const torch::Tensor w = torch::tensor(std::vector<float>{0.5f, 1.0f, 4.0f}).index_select(0, data.y);
  const SeededRun by_sample = weighted_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(data.x, data.y,
                     {.epochs = 2, .batch_size = 16, .shuffle = false, .sample_weight = w, .verbose = 0});
  });
  const SeededRun by_class = weighted_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(data.x, data.y,
                     {.epochs = 2, .batch_size = 16, .shuffle = false, .class_weight = class_weight, .verbose = 0});
  });
  check_same_run(by_sample, by_class);
  // Weights change training: an unweighted run ends elsewhere.
  const SeededRun plain = weighted_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(data.x, data.y, {.epochs = 2, .batch_size = 16, .shuffle = false, .verbose = 0});
  });
  CHECK_FALSE(torch::allclose(plain.weights.back(), by_class.weights.back()));

  // Categorical cross-entropy: the class of a one-hot row is its largest entry.
  auto one_hot_run = [&](auto options) {
    tkeras::utils::set_random_seed(25);
    tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
    model.compile({.optimizer = "adam", .loss = "categorical_crossentropy", .device = "cpu"});
    return model.fit(data.x, torch::one_hot(data.y, 3).to(torch::kFloat32), options).history.at("loss");
  };
  const auto one_hot_by_class =
      one_hot_run(tkeras::FitOptions{.epochs = 2, .shuffle = false, .class_weight = class_weight, .verbose = 0});
  const auto one_hot_by_sample =
      one_hot_run(tkeras::FitOptions{.epochs = 2, .shuffle = false, .sample_weight = w, .verbose = 0});
  CHECK(one_hot_by_class[1] == doctest::Approx(one_hot_by_sample[1]));
}

TEST_CASE("sample weights in a dataset's elements train as fit's sample_weight, eagerly and with jit") {
  const auto data = tkeras::testing::blobs(70, 3, 4, 42);
  const torch::Tensor w = torch::linspace(0.0, 2.0, 70);
  const SeededRun tensors = weighted_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(data.x, data.y,
                     {.epochs = 3,
                      .batch_size = 16,
                      .validation_data = {data.x, data.y, w},
                      .shuffle = false,
                      .sample_weight = w,
                      .verbose = 0});
  });
  const Dataset weighted = Dataset::from_tensor_slices(data.x, data.y, w).batch(16);
  const SeededRun dataset = weighted_classifier_run([&](tkeras::Sequential& model) {
    return model.fit(weighted, {.epochs = 3, .validation_data = weighted, .verbose = 0});
  });
  check_same_run(tensors, dataset);
  CHECK(tensors.history.history.contains("val_weighted_accuracy"));
  const SeededRun jit = weighted_classifier_run(
      [&](tkeras::Sequential& model) {
        return model.fit(data.x, data.y,
                         {.epochs = 3,
                          .batch_size = 16,
                          .validation_data = {data.x, data.y, w},
                          .shuffle = false,
                          .sample_weight = w,
                          .verbose = 0});
      },
      /*jit=*/true);
  check_same_run(tensors, jit);
}

TEST_CASE("validation_split takes the last samples' weights with them, and class_weight leaves validation unweighted") {
  const auto data = tkeras::testing::blobs(40, 3, 4, 43);
  const torch::Tensor w = torch::rand({40}, at::detail::createCPUGenerator(7)) + 0.5;
  tkeras::utils::set_random_seed(26);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::SGD({.learning_rate = 0.0}),
                 .loss = "sparse_categorical_crossentropy",
                 .device = "cpu"});
  // With a learning rate of 0 the weights stay, so val_loss is evaluate on the last quarter.
  const auto tail = [](const torch::Tensor& t) { return t.narrow(0, 30, 10); };
  const auto split = model.fit(data.x, data.y, {.validation_split = 0.25, .sample_weight = w, .verbose = 0});
  CHECK(
      split.history.at("val_loss")[0] ==
      doctest::Approx(model.evaluate(tail(data.x), tail(data.y), {.verbose = 0, .sample_weight = tail(w)}).at("loss")));
  const auto by_class = model.fit(data.x, data.y, {.validation_split = 0.25, .class_weight = {{0, 9.0}}, .verbose = 0});
  CHECK(by_class.history.at("val_loss")[0] ==
        doctest::Approx(model.evaluate(tail(data.x), tail(data.y), {.verbose = 0}).at("loss")));
}

TEST_CASE("bad sample and class weights are refused with what was expected and received") {
  const auto data = tkeras::testing::blobs(20, 3, 4, 44);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  CHECK_THROWS_WITH_AS(model.fit(data.x, data.y, {.sample_weight = torch::ones({19}), .verbose = 0}),
                       "fit: expected sample_weight of shape [20] (one weight per sample), received [19]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.evaluate(data.x, data.y, {.verbose = 0, .sample_weight = torch::ones({20, 3})}),
                       "evaluate: expected sample_weight of shape [20] (one weight per sample), received [20, 3]",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(
      model.fit(data.x, data.y, {.class_weight = {{0, 2.0}}, .sample_weight = torch::ones({20}), .verbose = 0}),
      "fit: cannot use class_weight and sample_weight at the same time; pass one of them", tkeras::Error);
  const Dataset weighted = Dataset::from_tensor_slices(data.x, data.y, torch::ones({20})).batch(5);
  CHECK_THROWS_WITH_AS(model.fit(weighted, {.class_weight = {{0, 2.0}}, .verbose = 0}),
                       doctest::Contains("cannot use class_weight and sample weights at the same time"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(weighted, {.sample_weight = torch::ones({20}), .verbose = 0}),
                       doctest::Contains("put the weights in the dataset's elements"), tkeras::Error);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(data.x, data.y, torch::ones({21})),
                       doctest::Contains("sample_weight of shape [21]"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.loss = "sparse_categorical_crossentropy", .weighted_metrics = {"precison"}}),
                       doctest::Contains("unknown metric \"precison\""), tkeras::Error);
  // class_weight needs one class per sample.
  tkeras::Sequential sequence({layers::Input({2, 4}), layers::Dense(3, "softmax")});
  sequence.compile(classifier_options());
  CHECK_THROWS_WITH_AS(
      sequence.fit(torch::zeros({4, 2, 4}), torch::zeros({4, 2}), {.class_weight = {{0, 2.0}}, .verbose = 0}),
      doctest::Contains("class_weight expects targets of shape [N] or [N, 1]"), tkeras::Error);
}

TEST_CASE("weighted metrics are saved with the compile settings and come back with load_model") {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
  tkeras::CompileOptions options = classifier_options();
  options.weighted_metrics = {"accuracy", "mse"};
  model.compile(options);
  const tkeras::testing::TempDir dir;
  model.save((dir.path() / "weighted.tkeras").string());
  const auto loaded = tkeras::models::load_model((dir.path() / "weighted.tkeras").string());
  const auto data = tkeras::testing::blobs(10, 3, 4, 45);
  const tkeras::Logs logs = loaded->evaluate(data.x, data.y, {.verbose = 0});
  CHECK(logs.contains("weighted_accuracy"));
  CHECK(logs.contains("mse"));
}

TEST_CASE("train_on_batch takes one step on its batch with fresh metrics, as fit does over that batch alone") {
  const auto data = tkeras::testing::blobs(48, 3, 4, 21);
  const auto make = [] {
    tkeras::utils::set_random_seed(4);
    tkeras::Sequential model({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
    model.compile(classifier_options());
    return model;
  };
  tkeras::Sequential stepped = make();
  tkeras::Sequential fitted = make();
  for (int64_t start : {0, 16, 32}) {
    CAPTURE(start);
    const torch::Tensor x = data.x.narrow(0, start, 16);
    const torch::Tensor y = data.y.narrow(0, start, 16);
    const tkeras::Logs logs = stepped.train_on_batch(x, y);
    const tkeras::History history = fitted.fit(x, y, {.batch_size = 16, .shuffle = false, .verbose = 0});
    REQUIRE(logs.size() == 2);
    CHECK(logs.at("loss") == history.history.at("loss").back());
    CHECK(logs.at("accuracy") == history.history.at("accuracy").back());
  }
  CHECK(stepped.optimizer_iterations() == 3);
  const std::vector<torch::Tensor> ours = stepped.get_weights();
  const std::vector<torch::Tensor> theirs = fitted.get_weights();
  for (size_t i = 0; i < ours.size(); ++i) CHECK(torch::equal(ours[i], theirs[i]));

  // test_on_batch and predict_on_batch: evaluate and predict over the batch as one.
  const torch::Tensor x = data.x.narrow(0, 0, 40);
  const torch::Tensor y = data.y.narrow(0, 0, 40);
  const tkeras::Logs tested = stepped.test_on_batch(x, y);
  const tkeras::Logs evaluated = stepped.evaluate(x, y, {.batch_size = 40, .verbose = 0});
  CHECK(tested.at("loss") == evaluated.at("loss"));
  CHECK(tested.at("accuracy") == evaluated.at("accuracy"));
  CHECK(torch::equal(stepped.predict_on_batch(x), stepped.predict(x, {.batch_size = 40, .verbose = 0})));
  CHECK(stepped.optimizer_iterations() == 3);
}

TEST_CASE("train_on_batch weighs by class or by sample, not both, and refuses a scalar x") {
  const auto data = tkeras::testing::blobs(12, 3, 4, 22);
  tkeras::utils::set_random_seed(4);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "softmax")});
  model.compile(classifier_options());
  const tkeras::Logs weighted = model.train_on_batch(data.x, data.y, {.class_weight = {{0, 0.0}, {1, 0.0}, {2, 0.0}}});
  CHECK(weighted.at("loss") == 0.0);
  CHECK_THROWS_WITH_AS(
      model.train_on_batch(data.x, data.y, {.sample_weight = torch::ones({12}), .class_weight = {{0, 2.0}}}),
      doctest::Contains("cannot use class_weight and sample_weight at the same time"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      model.train_on_batch(torch::tensor(1.0F), data.y),
      "train_on_batch: expected x as tensors of shape [N, ...], received an undefined or scalar tensor", tkeras::Error);
}
