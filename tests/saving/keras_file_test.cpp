// Tests for Keras 3's model files (.keras) through Model::save and load_model: tkeras's own files
// round-trip and train on, the Keras-written files in tests/saving/keras_files load and predict
// what Keras predicted, and bad archives are errors. (tests/keras/test_keras_file.py checks both
// directions against Keras itself.)
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <tuple>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/bidirectional.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lambda.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/layers/rescaling.h"
#include "tkeras/layers/text_vectorization.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adagrad.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/adamw.h"
#include "tkeras/optimizers/rmsprop.h"
#include "tkeras/optimizers/sgd.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
using nlohmann::json;
using tkeras::models::load_model;
using tkeras::testing::read_bytes;

namespace {

// An archive of `files` (name, contents, deflated?) made with libzip, for the bad files below.
struct ZipFile {
  std::string name;
  std::string contents;
  bool deflate = false;
};

void write_zip(const std::string& path, const std::vector<ZipFile>& files) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(archive != nullptr);
  for (const ZipFile& file : files) {
    zip_source_t* source = zip_source_buffer(archive, file.contents.data(), file.contents.size(), 0);
    REQUIRE(source != nullptr);
    const zip_int64_t index = zip_file_add(archive, file.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    REQUIRE(index >= 0);
    REQUIRE(zip_set_file_compression(archive, static_cast<zip_uint64_t>(index),
                                     file.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 9) == 0);
  }
  REQUIRE(zip_close(archive) == 0);
}

std::vector<ZipFile> read_zip(const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  REQUIRE(archive != nullptr);
  std::vector<ZipFile> files;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_stat_t stat;
    REQUIRE(zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) == 0);
    std::string contents(stat.size, '\0');
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    REQUIRE(zip_fread(file, contents.data(), stat.size) == static_cast<zip_int64_t>(stat.size));
    zip_fclose(file);
    files.push_back({stat.name, contents});
  }
  zip_discard(archive);
  return files;
}

tkeras::Sequential keras_cnn() {
  return tkeras::Sequential({layers::Input({8, 8, 1}), layers::Rescaling(1.0 / 255),
                             layers::Conv2D(3, 3, {.activation = "relu"}), layers::BatchNormalization(),
                             layers::MaxPooling2D(2), layers::Dropout(0.2), layers::Flatten(),
                             layers::Dense(3, "softmax")});
}

}  // namespace

TEST_CASE("a model saved as .keras loads back bit-identically and trains on as if never saved, for every optimizer") {
  const std::vector<std::pair<std::string, tkeras::optimizers::Optimizer>> cases = {
      {"Adam", tkeras::optimizers::Adam({.learning_rate = 0.01})},
      {"Adam with amsgrad", tkeras::optimizers::Adam({.beta_2 = 0.9, .amsgrad = true})},
      {"SGD with Nesterov momentum",
       tkeras::optimizers::SGD({.learning_rate = 0.05, .momentum = 0.9, .nesterov = true})},
      {"RMSprop centered with momentum", tkeras::optimizers::RMSprop({.momentum = 0.5, .centered = true})},
      {"AdamW with clipnorm", tkeras::optimizers::AdamW({.learning_rate = 0.01, .clipnorm = 0.5})},
      {"Adagrad with clipvalue", tkeras::optimizers::Adagrad({.learning_rate = 0.05, .clipvalue = 0.1})},
  };
  const torch::Tensor x = torch::rand({16, 8, 8, 1}) * 255.0;
  const torch::Tensor y = torch::randint(0, 3, {16});
  for (const auto& [label, optimizer] : cases) {
    SUBCASE(label.c_str()) {
      const tkeras::testing::TempDir dir;
      tkeras::utils::set_random_seed(5);
      tkeras::Sequential model = keras_cnn();
      model.compile({.optimizer = optimizer, .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
      const tkeras::FitOptions options{.epochs = 2, .batch_size = 4, .shuffle = false, .verbose = 0};
      model.fit(x, y, options);
      model.set_learning_rate(model.learning_rate() * 0.5);  // as ReduceLROnPlateau would
      const auto path = (dir.path() / "model.keras").string();
      model.save(path);
      CHECK(read_bytes(path).starts_with("PK\x03\x04"));

      const std::shared_ptr<tkeras::Model> loaded = load_model(path);
      tkeras::testing::check_same_weights(*loaded, model);
      CHECK(torch::equal(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
      CHECK(loaded->optimizer().name() == model.optimizer().name());
      CHECK(loaded->learning_rate() == model.learning_rate());
      CHECK(loaded->optimizer_iterations() == 8);
      tkeras::utils::set_random_seed(6);  // the same Dropout masks on both sides
      model.fit(x, y, options);
      tkeras::utils::set_random_seed(6);
      loaded->fit(x, y, options);
      CHECK(loaded->optimizer_iterations() == 16);
      tkeras::testing::check_same_weights(*loaded, model);
    }
  }
}

TEST_CASE("a .keras file is Keras's zip: metadata, config and weights stored uncompressed, with Keras's structure") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({6}), layers::Embedding(20, 4), layers::Bidirectional(layers::LSTM(3)),
                            layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy"});
  model.build({6});
  const auto path = (dir.path() / "model.keras").string();
  model.save(path);
  const std::vector<ZipFile> files = read_zip(path);
  REQUIRE(files.size() == 3);
  CHECK(files[0].name == "metadata.json");
  CHECK(files[1].name == "config.json");
  CHECK(files[2].name == "model.weights.h5");
  CHECK(json::parse(files[0].contents)["keras_version"] == "3.15.1");
  const json config = json::parse(files[1].contents);
  CHECK(config["module"] == "keras");
  CHECK(config["class_name"] == "Sequential");
  CHECK(config["build_config"]["input_shape"] == json::array({nullptr, 6}));
  CHECK(config["compile_config"]["optimizer"]["class_name"] == "Adam");
  CHECK(config["compile_config"]["loss"] == "binary_crossentropy");
  const json& list = config["config"]["layers"];
  REQUIRE(list.size() == 4);
  CHECK(list[0]["class_name"] == "InputLayer");
  CHECK(list[2]["module"] == "keras.layers");
  CHECK(list[2]["config"]["layer"]["class_name"] == "LSTM");
  CHECK(list[2]["config"]["layer"]["module"] == "keras.layers");
  // The model was compiled but never fit: the optimizer's variables are there, at zero, as Keras
  // saves them, and the file loads with them.
  const std::shared_ptr<tkeras::Model> loaded = load_model(path);
  CHECK(loaded->optimizer_iterations() == 0);
  tkeras::testing::check_same_weights(*loaded, model);
}

TEST_CASE("a TextVectorization's vocabulary goes into the .keras file's assets, as Keras keeps it") {
  const tkeras::testing::TempDir dir;
  auto vectorize = std::make_shared<layers::TextVectorization>(
      layers::TextVectorizationOptions{.max_tokens = 20, .output_sequence_length = 5});
  // The assets go where Keras's saving puts them: by class and counter, not by the layer's name.
  vectorize->set_name("words");
  const std::vector<std::string> corpus = {"the cat sat", "the dog ran", "a cat"};
  vectorize->adapt(corpus);
  tkeras::Sequential model({vectorize, layers::Embedding(20, 3), layers::Flatten(), layers::Dense(1)});
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.fit(corpus, torch::ones({3, 1}), {.epochs = 1, .verbose = 0});
  const auto path = (dir.path() / "text.keras").string();
  model.save(path);
  bool found = false;
  for (const ZipFile& file : read_zip(path)) {
    if (file.name == "assets/layers/text_vectorization/vocabulary.txt") {
      found = true;
      CHECK(file.contents == fmt::format("{}", fmt::join(vectorize->get_vocabulary(true), "\n")));
      CHECK(file.contents.starts_with("\n[UNK]\nthe\ncat\n"));
    }
  }
  CHECK(found);
  const std::vector<std::string> texts = {"the cat ran", "a dog sat on"};
  const std::shared_ptr<tkeras::Model> loaded = load_model(path);
  CHECK(torch::equal(loaded->predict(texts, {.verbose = 0}), model.predict(texts, {.verbose = 0})));
}

TEST_CASE("every .keras file Keras wrote in tests/saving/keras_files loads and predicts what Keras predicted") {
  const std::filesystem::path directory = TKERAS_KERAS_FILES;
  const json expected = json::parse(read_bytes(directory / "expected.json"));
  REQUIRE(expected.size() == 6);
  for (const auto& item : expected.items()) {
    // (Named copies, not structured bindings: clang 14 cannot capture those in INFO's lambda.)
    const std::string name = item.key();
    const json& entry = item.value();
    SUBCASE(name.c_str()) {
      const std::shared_ptr<tkeras::Model> model = load_model((directory / (name + ".keras")).string());
      const json& x = entry["x"];
      torch::Tensor outputs;
      if (name == "text") {
        outputs = model->predict(x.get<std::vector<std::string>>(), {.verbose = 0});
      } else {
        const bool ids = name == "recurrent" || name == "masked";
        std::vector<int64_t> shape;
        for (const json* level = &x; level->is_array(); level = &(*level)[0])
          shape.push_back(static_cast<int64_t>(level->size()));
        std::vector<double> values;
        const auto flatten = [&](const auto& self, const json& value) -> void {
          if (value.is_array()) {
            for (const json& item : value) self(self, item);
          } else {
            values.push_back(value.get<double>());
          }
        };
        flatten(flatten, x);
        torch::Tensor input = torch::tensor(values, torch::kFloat64).reshape(shape);
        outputs = model->predict(ids ? input.to(torch::kLong) : input.to(torch::kFloat32), {.verbose = 0});
      }
      std::vector<double> theirs;
      for (const json& row : entry["predict"]) {
        for (const json& value : row) theirs.push_back(value.get<double>());
      }
      const torch::Tensor keras_outputs = torch::tensor(theirs, torch::kFloat64).reshape(outputs.sizes());
      const double deviation = (outputs.to(torch::kFloat64) - keras_outputs).abs().max().item<double>() /
                               keras_outputs.abs().max().item<double>();
      INFO(name, ": relative deviation ", deviation);
      CHECK(deviation <= 1e-5);
      CHECK(model->compiled());
    }
  }
}

TEST_CASE("bad .keras archives are refused with an error naming the file and the problem") {
  const tkeras::testing::TempDir dir;
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "relu"), layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const auto good = (dir.path() / "good.keras").string();
  model.save(good);
  const std::vector<ZipFile> files = read_zip(good);
  const auto bad = (dir.path() / "bad.keras").string();
  const auto refused = [&](const std::vector<ZipFile>& entries, const std::string& message) {
    write_zip(bad, entries);
    CHECK_THROWS_WITH_AS(load_model(bad), doctest::Contains(message.c_str()), tkeras::Error);
  };
  const auto with_config = [&](const std::function<void(json&)>& change) {
    std::vector<ZipFile> entries = files;
    json config = json::parse(entries[1].contents);
    change(config);
    entries[1].contents = config.dump();
    return entries;
  };

  SUBCASE("bytes that start as a zip and are not one") {
    std::ofstream(bad, std::ios::binary) << "PK\x03\x04 and then nothing of a zip";
    CHECK_THROWS_WITH_AS(load_model(bad), doctest::Contains("bad.keras\": expected a zip archive"), tkeras::Error);
  }
  SUBCASE("a truncated archive") {
    const std::string bytes = read_bytes(good);
    std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() - 30);
    CHECK_THROWS_WITH_AS(load_model(bad), doctest::Contains("bad.keras"), tkeras::Error);
  }
  SUBCASE("no config.json") { refused({files[0], files[2]}, "no config.json in the archive"); }
  SUBCASE("no weights") { refused({files[0], files[1]}, "no model.weights.h5 in the archive"); }
  SUBCASE("a path outside the archive") {
    refused({files[0], files[1], files[2], {"../../etc/evil", "x"}},
            "entry \"../../etc/evil\" names a path outside the archive");
  }
  SUBCASE("a zip bomb") {
    refused({files[0], files[1], {"model.weights.h5", std::string(size_t{200} << 20, '\0'), true}},
            "entry \"model.weights.h5\" says it holds 209715200 bytes in");
  }
  SUBCASE("a config that is not JSON") {
    std::vector<ZipFile> entries = files;
    entries[1].contents = "{not json";
    refused(entries, "config.json is not a JSON object");
  }
  SUBCASE("a Keras option tkeras does not honour, named with its layer") {
    // (The layers' names count up within this process: dense_7, dense_8...)
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["quantization_config"] = "int8"; }),
            "bad.keras\": config.json layer 1 (Dense) \"dense");
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["quantization_config"] = "int8"; }),
            "\": option \"quantization_config\" = \"int8\" is not supported by tkeras (expected null)");
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["kernel_regularizer"] = "l5"; }),
            "kernel_regularizer: unknown regularizer \"l5\"");
    refused(with_config([](json& c) { c["config"]["layers"][2]["config"]["lora_rank"] = 4; }),
            "option \"lora_rank\" = 4 is not supported by tkeras (expected null)");
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["a_new_option"] = true; }),
            "option \"a_new_option\" = true is not supported by tkeras");
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["dtype"] = "mixed_float16"; }),
            "dtype \"mixed_float16\" is not supported");
  }
  SUBCASE(
      "a learning-rate schedule tkeras lacks or without its options, a loss option Keras lacks, and a loss class "
      "tkeras lacks") {
    refused(with_config([](json& c) {
              c["compile_config"]["optimizer"]["config"]["learning_rate"] = {{"class_name", "StepDecay"},
                                                                             {"config", json::object()}};
            }),
            "learning rate schedule: unknown class \"StepDecay\"; expected one of: CosineDecay");
    refused(with_config([](json& c) {
              c["compile_config"]["optimizer"]["config"]["learning_rate"] = {{"class_name", "ExponentialDecay"}};
            }),
            "learning rate schedule: expected an object with \"class_name\" and \"config\"");
    refused(with_config([](json& c) {
              c["compile_config"]["loss"] = {{"class_name", "SparseCategoricalCrossentropy"},
                                             {"config", {{"ignore_class", 0}, {"label_smoothing", 0.1}}}};
            }),
            "SparseCategoricalCrossentropy: the option label_smoothing=0.1 is not one of Keras's (or is not "
            "supported by tkeras)");
    refused(
        with_config([](json& c) {
          c["compile_config"]["loss"] = {{"module", "builtins"}, {"class_name", "MyLoss"}, {"config", json::object()}};
        }),
        "loss class \"MyLoss\" is not supported by tkeras");
  }
  SUBCASE("weights that do not fit the architecture") {
    refused(with_config([](json& c) { c["config"]["layers"][1]["config"]["units"] = 5; }),
            "model.weights.h5\": tensor \"dense.kernel\" has shape [4, 3]; the model expects [4, 5]");
  }
  SUBCASE("Keras's .npz weights") {
    refused({files[0], files[1], {"model.weights.npz", "x"}}, "tkeras reads Keras's HDF5 weights, not .npz");
  }
}

TEST_CASE("a layer that holds C++ code cannot go into a .keras file, and the error says what to do instead") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({4}),
                            layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"}),
                            layers::Dense(2)});
  model.build({4});
  const auto path = (dir.path() / "lambda.keras").string();
  CHECK_THROWS_WITH_AS(model.save(path),
                       "Lambda \"scale\": a .keras file cannot hold the C++ code it runs; save the model as .tkeras "
                       "(load_model with custom_objects), or its weights with save_weights",
                       tkeras::Error);
  CHECK_FALSE(std::filesystem::exists(path));
}
