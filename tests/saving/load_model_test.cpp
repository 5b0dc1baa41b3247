// Tests for Model::save and load_model: every layer and optimizer round-trips, predictions are
// bit-identical, training goes on with the restored optimizer, and bad files get clear errors.
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/reshape.h"
#include "tkeras/losses/regression.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adagrad.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/adamw.h"
#include "tkeras/optimizers/rmsprop.h"
#include "tkeras/optimizers/sgd.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
using tkeras::models::load_model;

using tkeras::testing::read_bytes;

namespace {

// Every layer type, with options away from their defaults.
tkeras::Sequential every_layer_cnn() {
  return tkeras::Sequential(
      {layers::Input({9, 9}), layers::Rescaling(0.5, -0.25), layers::Reshape({9, 9, 1}),
       layers::Conv2D(3, {3, 2}, {.strides = {2, 1}, .padding = "same", .activation = "relu", .use_bias = false}),
       layers::BatchNormalization({.momentum = 0.9, .epsilon = 0.01}),
       layers::MaxPooling2D({2, 2}, {.strides = 1, .padding = "valid"}),
       layers::AveragePooling2D(2, {.padding = "same"}), layers::Dropout(0.3), layers::Activation("tanh"),
       layers::Conv2D(4, 1), layers::GlobalAveragePooling2D(), layers::Dense(6, "sigmoid", /*use_bias=*/false),
       layers::Flatten(), layers::Dense(3, "softmax")});
}

}  // namespace

TEST_CASE("a model with every layer type saved and loaded predicts bit-identically without any user code") {
  const tkeras::testing::TempDir dir;
  tkeras::utils::set_random_seed(11);
  tkeras::Sequential model = every_layer_cnn();
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  const torch::Tensor x = torch::rand({24, 9, 9}) * 255.0;
  const torch::Tensor y = torch::randint(0, 3, {24});
  model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  const auto path = (dir.path() / "model.tkeras").string();
  model.save(path);

  const std::shared_ptr<tkeras::Model> loaded = load_model(path);
  CHECK(loaded->class_name() == "Sequential");
  CHECK(loaded->input_shape() == tkeras::Shape{9, 9});
  CHECK(loaded->count_params() == model.count_params());
  CHECK(loaded->output_shape() == model.output_shape());
  tkeras::testing::check_same_weights(*loaded, model);
  CHECK(torch::equal(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
  CHECK(loaded->compiled());
  CHECK(loaded->optimizer().name() == "adam");
  CHECK(loaded->optimizer_iterations() == model.optimizer_iterations());
  // The loaded model evaluates with the saved loss and metrics.
  CHECK(loaded->evaluate(x, y, {.verbose = 0}) == model.evaluate(x, y, {.verbose = 0}));
  // Saving the loaded model gives the same file, byte for byte.
  const auto again = (dir.path() / "again.tkeras").string();
  loaded->save(again);
  CHECK(read_bytes(again) == read_bytes(path));
}

TEST_CASE("training goes on after load_model exactly as it would have without saving, for every optimizer") {
  const std::vector<std::pair<std::string, tkeras::optimizers::Optimizer>> cases = {
      {"Adam", tkeras::optimizers::Adam({.learning_rate = 0.01})},
      {"Adam with amsgrad", tkeras::optimizers::Adam({.beta_2 = 0.9, .amsgrad = true})},
      {"SGD", "sgd"},
      {"SGD with Nesterov momentum",
       tkeras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9, .nesterov = true})},
      {"RMSprop", "rmsprop"},
      {"RMSprop centered with momentum", tkeras::optimizers::RMSprop({.momentum = 0.5, .centered = true})},
      {"AdamW with clipnorm", tkeras::optimizers::AdamW({.learning_rate = 0.01, .clipnorm = 0.5})},
      {"Adagrad with weight decay and clipvalue",
       tkeras::optimizers::Adagrad({.learning_rate = 0.05, .weight_decay = 0.01, .clipvalue = 0.1})},
      {"SGD with global_clipnorm", tkeras::optimizers::SGD({.learning_rate = 0.05, .global_clipnorm = 0.3})},
  };
  const auto data = tkeras::testing::blobs(40, 3, 5, 2);
  for (const auto& [label, optimizer] : cases) {
    SUBCASE(label.c_str()) {
      const tkeras::testing::TempDir dir;
      tkeras::utils::set_random_seed(5);
      tkeras::Sequential model({layers::Input({5}), layers::Dense(7, "relu"), layers::Dense(3, "softmax")});
      model.compile({.optimizer = optimizer, .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
      const tkeras::FitOptions options{.epochs = 2, .batch_size = 8, .shuffle = false, .verbose = 0};
      model.fit(data.x, data.y, options);
      model.set_learning_rate(model.learning_rate() * 0.5);  // as ReduceLROnPlateau would
      const auto path = (dir.path() / "model.tkeras").string();
      model.save(path);

      const std::shared_ptr<tkeras::Model> loaded = load_model(path);
      CHECK(loaded->optimizer().name() == model.optimizer().name());
      CHECK(loaded->learning_rate() == model.learning_rate());
      CHECK(loaded->optimizer_iterations() == 10);
      model.fit(data.x, data.y, options);
      loaded->fit(data.x, data.y, options);
      CHECK(loaded->optimizer_iterations() == 20);
      tkeras::testing::check_same_weights(*loaded, model);
    }
  }
}

TEST_CASE("a Huber loss keeps its delta, and optimizer options their values, through save and load") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({3}), layers::Dense(1)});
  model.compile({.optimizer = tkeras::optimizers::AdamW({.weight_decay = 0.02, .clipvalue = 0.5}),
                 .loss = tkeras::losses::Huber({.delta = 2.5})});
  const auto path = (dir.path() / "huber.tkeras").string();
  model.save(path);
  const std::shared_ptr<tkeras::Model> loaded = load_model(path);
  const torch::Tensor x = torch::randn({6, 3}) * 3;
  const torch::Tensor y = torch::randn({6, 1}) * 3;
  CHECK(loaded->evaluate(x, y, {.verbose = 0}) == model.evaluate(x, y, {.verbose = 0}));
  const tkeras::Config config = loaded->optimizer().get_config();
  CHECK(loaded->optimizer().class_name() == "AdamW");
  CHECK(config["weight_decay"] == 0.02);
  CHECK(config["clipvalue"] == 0.5);
  CHECK_FALSE(config.contains("clipnorm"));
}

TEST_CASE("a model compiled with jit and bf16-mixed loads with both and trains on bit-identically") {
  const auto data = tkeras::testing::blobs(40, 3, 5, 3);
  const tkeras::testing::TempDir dir;
  tkeras::utils::set_random_seed(6);
  tkeras::Sequential model({layers::Input({5}), layers::Dense(7, "relu"), layers::Dense(3, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .jit = true,
                 .precision = "bf16-mixed"});
  const tkeras::FitOptions options{.epochs = 2, .batch_size = 8, .shuffle = false, .verbose = 0};
  model.fit(data.x, data.y, options);
  model.set_learning_rate(0.004);
  const auto path = (dir.path() / "model.tkeras").string();
  model.save(path);

  // The step count and learning rate that jit keeps on the device come back from the file:
  // Adam's bias correction after step 10 is not the one after step 0.
  const std::shared_ptr<tkeras::Model> loaded = load_model(path);
  CHECK(loaded->optimizer_iterations() == 10);
  CHECK(loaded->learning_rate() == 0.004);
  model.fit(data.x, data.y, options);
  loaded->fit(data.x, data.y, options);
  tkeras::testing::check_same_weights(*loaded, model);
  // Saved again, the loaded model's file is the original's, compile_config included.
  loaded->save((dir.path() / "again.tkeras").string());
  model.save(path);
  CHECK(read_bytes(dir.path() / "again.tkeras") == read_bytes(path));
  CHECK(read_bytes(path).find(R"(\"jit_compile\":true)") != std::string::npos);
  CHECK(read_bytes(path).find(R"(\"precision\":\"bf16-mixed\")") != std::string::npos);
}

TEST_CASE("the restored optimizer state matters: a fresh optimizer trains to different weights") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(40, 3, 5, 2);
  tkeras::utils::set_random_seed(5);
  tkeras::Sequential model({layers::Input({5}), layers::Dense(3, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const tkeras::FitOptions options{.epochs = 1, .batch_size = 8, .shuffle = false, .verbose = 0};
  model.fit(data.x, data.y, options);
  const auto path = (dir.path() / "model.tkeras").string();
  model.save(path);
  const std::shared_ptr<tkeras::Model> restored = load_model(path);
  const std::shared_ptr<tkeras::Model> fresh = load_model(path, {.compile = false});
  CHECK_FALSE(fresh->compiled());
  fresh->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  restored->fit(data.x, data.y, options);
  fresh->fit(data.x, data.y, options);
  CHECK_FALSE(torch::equal(restored->get_weights()[0], fresh->get_weights()[0]));
}

TEST_CASE("a model saved before compile or before fit loads as it was") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({4}), layers::Dense(2, "softmax")});
  const auto uncompiled = (dir.path() / "uncompiled.tkeras").string();
  model.save(uncompiled);
  CHECK_FALSE(load_model(uncompiled)->compiled());

  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  const auto compiled = (dir.path() / "compiled.tkeras").string();
  model.save(compiled);
  const std::shared_ptr<tkeras::Model> loaded = load_model(compiled);
  CHECK(loaded->compiled());
  CHECK(loaded->optimizer().name() == "sgd");
  CHECK(loaded->optimizer_iterations() == 0);
  tkeras::testing::check_same_weights(*loaded, model);
}

TEST_CASE("save needs a built model, and a layer of the user's own loads with a factory for its class") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential unbuilt({layers::Dense(2)});
  const std::string expected = "save(\"" + (dir.path() / "m.tkeras").string() + "\") needs a built model";
  CHECK_THROWS_WITH_AS(unbuilt.save((dir.path() / "m.tkeras").string()), doctest::Contains(expected.c_str()),
                       tkeras::Error);

  struct Doubling : layers::Layer {
    Doubling() : Layer("doubling") {}
    std::string class_name() const override { return "Doubling"; }
    torch::Tensor call(const torch::Tensor& inputs, bool) override { return inputs * 2; }
    tkeras::Shape build_weights(const tkeras::Shape& input_shape) override { return input_shape; }
  };
  tkeras::Sequential custom({layers::Input({3}), Doubling(), layers::Dense(2)});
  const std::string path = (dir.path() / "c.tkeras").string();
  custom.save(path);
  // As Keras: the file names the class; loading it needs the class in custom_objects.
  CHECK_THROWS_WITH_AS(
      load_model(path),
      doctest::Contains("model_config layer 1 (Doubling): unknown layer class \"Doubling\"; expected "
                        "one of: Activation, Add, Attention, Average, AveragePooling1D, AveragePooling2D, "
                        "BatchNormalization"),
      tkeras::Error);
  const auto loaded = load_model(path, {.custom_objects = {{"Doubling", [] { return Doubling(); }}}});
  CHECK(loaded->get_layer(0)->class_name() == "Doubling");
  CHECK(loaded->get_layer(0)->name() == custom.get_layer(0)->name());
  const torch::Tensor x = torch::randn({2, 3});
  CHECK(torch::equal(loaded->predict(x, {.verbose = 0}), custom.predict(x, {.verbose = 0})));
}

TEST_CASE("load_model refuses bad files with an error naming the file and the problem") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "relu"), layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const auto data = tkeras::testing::blobs(8, 2, 4, 1);
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0});  // so that the file holds Adam's state
  const auto good = (dir.path() / "good.tkeras").string();
  model.save(good);
  const std::string bytes = read_bytes(good);
  const auto bad = (dir.path() / "bad.tkeras").string();
  // Rewrites the header's JSON (keeping its length, padded with spaces) and loads the result.
  const auto load_edited = [&](const std::string& from, const std::string& to) {
    std::string edited = bytes;
    const size_t at = edited.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(to.size() <= from.size());
    edited.replace(at, from.size(), to + std::string(from.size() - to.size(), ' '));
    std::ofstream(bad, std::ios::binary) << edited;
    return load_model(bad);
  };

  SUBCASE("a missing file") {
    CHECK_THROWS_WITH_AS(load_model((dir.path() / "none.tkeras").string()), doctest::Contains("none.tkeras"),
                         tkeras::Error);
  }
  SUBCASE("a truncated file") {
    std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() - 5);
    CHECK_THROWS_WITH_AS(load_model(bad), doctest::Contains("bad.tkeras"), tkeras::Error);
  }
  SUBCASE("a weights file, not a model file") {
    const auto weights = (dir.path() / "w.safetensors").string();
    model.save_weights(weights);
    CHECK_THROWS_WITH_AS(load_model(weights),
                         doctest::Contains("expected a tkeras model file (metadata format \"tkeras.model\"), received "
                                           "format \"tkeras.weights\"; a weights file loads with model.load_weights"),
                         tkeras::Error);
  }
  SUBCASE("an unknown format version") {
    CHECK_THROWS_WITH_AS(load_edited("\"format_version\":\"1\"", "\"format_version\":\"9\""),
                         doctest::Contains("unknown model file format_version \"9\"; this tkeras reads version 1"),
                         tkeras::Error);
  }
  SUBCASE("an unknown layer class") {
    CHECK_THROWS_WITH_AS(
        load_edited("\\\"class_name\\\":\\\"Dense\\\"", "\\\"class_name\\\":\\\"Dens\\\""),
        doctest::Contains("model_config layer 1 (Dens): unknown layer class \"Dens\"; expected one of: "),
        tkeras::Error);
  }
  SUBCASE("an architecture whose weights are not the file's") {
    CHECK_THROWS_WITH_AS(load_edited("\\\"units\\\":3", "\\\"units\\\":4"),
                         doctest::Contains("bad.tkeras\": tensor \"dense.kernel\" has shape [4, 3]; the model expects "
                                           "[4, 4]"),
                         tkeras::Error);
  }
  SUBCASE("a layer option out of range") {
    CHECK_THROWS_WITH_AS(load_edited("\\\"units\\\":3", "\\\"units\\\":0"),
                         doctest::Contains("model_config layer 1 (Dense): expected \"units\" as a positive integer, "
                                           "received 0"),
                         tkeras::Error);
  }
  SUBCASE("an unknown activation") {
    CHECK_THROWS_WITH_AS(load_edited("\\\"relu\\\"", "\\\"relz\\\""),
                         doctest::Contains("bad.tkeras\": model_config layer 1 (Dense): unknown activation \"relz\""),
                         tkeras::Error);
  }
  SUBCASE("an optimizer state that does not fit the optimizer") {
    CHECK_THROWS_WITH_AS(load_edited("\\\"class_name\\\":\\\"Adam\\\"", "\\\"class_name\\\":\\\"SGD\\\""),
                         doctest::Contains("unexpected tensor \"optimizer."), tkeras::Error);
  }
}

TEST_CASE("a model file is safetensors: its weights load with load_weights into the same architecture") {
  const tkeras::testing::TempDir dir;
  tkeras::utils::set_random_seed(2);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "relu"), layers::Dense(2, "softmax")});
  const auto path = (dir.path() / "m.tkeras").string();
  model.save(path);  // uncompiled: weights only, no optimizer tensors
  tkeras::Sequential other({layers::Input({4}), layers::Dense(3, "relu"), layers::Dense(2, "softmax")});
  other.load_weights(path);
  tkeras::testing::check_same_weights(other, model);
}

TEST_CASE("a model file written by another program from the format's description loads and trains") {
  // fuzz/corpus/model/cnn.tkeras was written by a short Python script (no tkeras, no torch) from
  // the layout the README describes: a Conv2D/BatchNormalization/pooling/Dropout/Dense model, Adam
  // after 5 steps.
  const std::shared_ptr<tkeras::Model> model = load_model(TKERAS_MODEL_CORPUS "/cnn.tkeras", {.device = "cpu"});
  CHECK(model->input_shape() == tkeras::Shape{6, 6, 1});
  CHECK(model->count_params() == 85);
  CHECK(model->optimizer().name() == "adam");
  CHECK(model->optimizer_iterations() == 5);
  const torch::Tensor x = torch::rand({4, 6, 6, 1});
  const torch::Tensor probabilities = model->predict(x, {.verbose = 0});
  CHECK(torch::allclose(probabilities.sum(1), torch::ones({4})));
  model->fit(x, torch::tensor({0, 1, 2, 0}), {.epochs = 1, .verbose = 0});
  CHECK(model->optimizer_iterations() == 6);
}

TEST_CASE("a file with a frozen model inside a model, written by another program, loads with names and flags") {
  // fuzz/corpus/model/nested.tkeras: a frozen Sequential "base" (Dense "hidden", BatchNormalization
  // "norm") under a Dense "head", SGD with momentum after 3 steps, written with Python's
  // safetensors from the format's description.
  const std::shared_ptr<tkeras::Model> model = load_model(TKERAS_MODEL_CORPUS "/nested.tkeras", {.device = "cpu"});
  CHECK(model->name() == "transfer");
  REQUIRE(model->layers().size() == 2);
  const auto base = std::dynamic_pointer_cast<tkeras::Sequential>(model->get_layer("base"));
  REQUIRE(base);
  CHECK_FALSE(base->trainable());
  CHECK(base->get_layer("hidden")->class_name() == "Dense");
  CHECK_FALSE(base->get_layer("norm")->trainable());
  CHECK(model->get_layer("head")->trainable());
  CHECK(model->count_params() == 4 * 3 + 3 + 4 * 3 + 3 * 2 + 2);
  CHECK(model->trainable_weights().size() == 2);
  CHECK(model->optimizer_iterations() == 3);
  const torch::Tensor x = torch::rand({5, 4});
  const std::vector<torch::Tensor> frozen = base->get_weights();
  model->fit(x, torch::tensor({0, 1, 0, 1, 1}), {.epochs = 1, .verbose = 0});
  CHECK(model->optimizer_iterations() == 4);
  for (size_t i = 0; i < frozen.size(); ++i) CHECK(torch::equal(base->get_weights()[i], frozen[i]));
}

TEST_CASE("a file describing a huge model is refused without allocating its weights") {
  const tkeras::testing::TempDir dir;
  const std::string path = (dir.path() / "huge.tkeras").string();
  // 2^24 x 2^24 floats (a petabyte) for the kernel, and no tensors in the file.
  const std::string config =
      R"({"class_name":"Sequential","config":{"layers":[{"class_name":"InputLayer","config":{"batch_shape":[null,16777216]}},)"
      R"({"class_name":"Dense","config":{"units":16777216}}]}})";
  nlohmann::json header = {
      {"__metadata__", {{"format", "tkeras.model"}, {"format_version", "1"}, {"model_config", config}}}};
  const std::string json = header.dump();
  std::string bytes(8, '\0');
  for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << bytes << json;
  CHECK_THROWS_WITH_AS(load_model(path), doctest::Contains("huge.tkeras\": no tensor \"dense.kernel\""), tkeras::Error);
}
