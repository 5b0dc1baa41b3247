// Tests for ModelCheckpoint: Keras's filepath templating, save_best_only, save_weights_only,
// save_freq in batches, and its errors.
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/callbacks/model_checkpoint.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
namespace fs = std::filesystem;
using tkeras::callbacks::ModelCheckpoint;
using tkeras::callbacks::ModelCheckpointOptions;

namespace {

std::unique_ptr<tkeras::Sequential> compiled_model() {
  tkeras::utils::set_random_seed(4);
  auto model = std::make_unique<tkeras::Sequential>(
      std::vector<layers::AnyLayer>{layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  return model;
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("the filepath is filled in as Keras's str.format: epoch from 1, log values with their formats") {
  const ModelCheckpoint checkpoint({.filepath = "ckpt-{epoch:02d}-{val_loss:.3f}.tkeras"});
  CHECK(checkpoint.file_path(0, std::nullopt, {{"val_loss", 0.123456}}) == "ckpt-01-0.123.tkeras");
  CHECK(checkpoint.file_path(11, std::nullopt, {{"val_loss", 2.0}}) == "ckpt-12-2.000.tkeras");
  const ModelCheckpoint plain({.filepath = "m-{epoch}-{batch:03d}-{{x}}-{accuracy:.1%}.tkeras"});
  CHECK(plain.file_path(2, 4, {{"accuracy", 0.875}}) == "m-3-005-{x}-87.5%.tkeras");
  CHECK_THROWS_WITH_AS(checkpoint.file_path(0, std::nullopt, {{"loss", 1.0}}),
                       "ModelCheckpoint: failed to format filepath \"ckpt-{epoch:02d}-{val_loss:.3f}.tkeras\": no "
                       "\"val_loss\" to fill in; available: epoch, loss",
                       tkeras::Error);
  const ModelCheckpoint wrong_format({.filepath = "m-{loss:02d}.tkeras"});
  CHECK_THROWS_WITH_AS(
      wrong_format.file_path(0, std::nullopt, {{"loss", 1.5}}),
      doctest::Contains("ModelCheckpoint: cannot format \"{loss:02d}\" in filepath \"m-{loss:02d}.tkeras\" "
                        "with the float value 1.5"),
      tkeras::Error);
}

TEST_CASE("a checkpoint is saved after every epoch under its templated name, and loads as the model was") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(40, 3, 4, 8);
  const auto owner = compiled_model();
  tkeras::Sequential& model = *owner;
  auto checkpoint = std::make_shared<ModelCheckpoint>(
      ModelCheckpointOptions{.filepath = (dir.path() / "ckpts" / "ckpt-{epoch:02d}-{val_loss:.3f}.tkeras").string()});
  const tkeras::History history =
      model.fit(data.x, data.y,
                {.epochs = 3, .batch_size = 8, .validation_split = 0.25, .verbose = 0, .callbacks = {checkpoint}});
  std::set<std::string> expected;
  for (int epoch = 0; epoch < 3; ++epoch) {
    expected.insert(fmt::format("ckpt-{:02d}-{:.3f}.tkeras", epoch + 1, history.history.at("val_loss")[epoch]));
  }
  CHECK(files_in(dir.path() / "ckpts") == expected);  // the directory was created; no temporary is left
  // The last checkpoint is the model as training left it.
  const std::shared_ptr<tkeras::Model> loaded = tkeras::models::load_model(checkpoint->last_saved());
  CHECK(torch::equal(loaded->predict(data.x, {.verbose = 0}), model.predict(data.x, {.verbose = 0})));
  CHECK(loaded->optimizer_iterations() == model.optimizer_iterations());
}

TEST_CASE("save_best_only saves only the epochs that improve the monitored value") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(40, 3, 4, 8);
  const auto owner = compiled_model();
  tkeras::Sequential& model = *owner;
  auto checkpoint = std::make_shared<ModelCheckpoint>(ModelCheckpointOptions{
      .filepath = (dir.path() / "best-{epoch}.tkeras").string(), .monitor = "val_accuracy", .save_best_only = true});
  const tkeras::History history =
      model.fit(data.x, data.y,
                {.epochs = 6, .batch_size = 8, .validation_split = 0.25, .verbose = 0, .callbacks = {checkpoint}});
  // "auto" watches accuracy upwards; the first epoch always improves on -inf.
  std::set<std::string> expected;
  double best = -1.0;
  for (int epoch = 0; epoch < 6; ++epoch) {
    const double value = history.history.at("val_accuracy")[epoch];
    if (value > best) {
      best = value;
      expected.insert(fmt::format("best-{}.tkeras", epoch + 1));
    }
  }
  CHECK(files_in(dir.path()) == expected);
  CHECK(checkpoint->best() == best);
}

TEST_CASE("save_best_only with a threshold saves nothing until the threshold is beaten") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(24, 3, 4, 8);
  const auto owner = compiled_model();
  tkeras::Sequential& model = *owner;
  auto checkpoint =
      std::make_shared<ModelCheckpoint>(ModelCheckpointOptions{.filepath = (dir.path() / "best.tkeras").string(),
                                                               .monitor = "loss",
                                                               .save_best_only = true,
                                                               .initial_value_threshold = 0.0});
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0, .callbacks = {checkpoint}});
  CHECK(files_in(dir.path()).empty());
  CHECK(checkpoint->best() == 0.0);
}

TEST_CASE("save_best_only without the monitored value warns and saves, as Keras 3 does") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(24, 3, 4, 8);
  const auto owner = compiled_model();
  auto checkpoint = std::make_shared<ModelCheckpoint>(ModelCheckpointOptions{
      .filepath = (dir.path() / "m-{epoch}.tkeras").string(), .monitor = "val_loss", .save_best_only = true});
  std::ostringstream captured;
  std::streambuf* const previous = std::cerr.rdbuf(captured.rdbuf());
  owner->fit(data.x, data.y, {.epochs = 2, .verbose = 0, .callbacks = {checkpoint}});  // no validation: no val_loss
  std::cerr.rdbuf(previous);
  CHECK(files_in(dir.path()) == std::set<std::string>{"m-1.tkeras", "m-2.tkeras"});
  CHECK(captured.str().find("ModelCheckpoint: warning: can save best model only with val_loss available; saving "
                            "anyway") != std::string::npos);
}

TEST_CASE("save_weights_only writes a safetensors weights file that load_weights reads") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(24, 3, 4, 8);
  const auto owner = compiled_model();
  tkeras::Sequential& model = *owner;
  const auto path = (dir.path() / "weights.safetensors").string();
  auto checkpoint =
      std::make_shared<ModelCheckpoint>(ModelCheckpointOptions{.filepath = path, .save_weights_only = true});
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0, .callbacks = {checkpoint}});
  tkeras::Sequential other({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(3, "softmax")});
  other.load_weights(path);
  CHECK(torch::equal(other.predict(data.x, {.verbose = 0}), model.predict(data.x, {.verbose = 0})));
  CHECK_THROWS_AS(tkeras::models::load_model(path), tkeras::Error);
}

TEST_CASE("save_freq in batches saves every N batches across epochs, with the batch in the name") {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(32, 3, 4, 8);  // 4 batches of 8 an epoch
  const auto owner = compiled_model();
  tkeras::Sequential& model = *owner;
  auto checkpoint = std::make_shared<ModelCheckpoint>(
      ModelCheckpointOptions{.filepath = (dir.path() / "e{epoch}-b{batch}.tkeras").string(), .save_freq = 3});
  model.fit(data.x, data.y, {.epochs = 3, .batch_size = 8, .verbose = 0, .callbacks = {checkpoint}});
  // Batches 3, 6, 9 and 12 of 12: epoch 1 batch 3, epoch 2 batch 2, epoch 3 batches 1 and 4.
  CHECK(files_in(dir.path()) == std::set<std::string>{"e1-b3.tkeras", "e2-b2.tkeras", "e3-b1.tkeras", "e3-b4.tkeras"});
}

TEST_CASE("ModelCheckpoint refuses options Keras refuses, saying what it expected") {
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = "model.h5"}),
                       "ModelCheckpoint: expected a filepath ending in \".tkeras\" (a whole model; with "
                       "save_weights_only, \".safetensors\"), received \"model.h5\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = "w.tkeras", .save_weights_only = true}),
                       "ModelCheckpoint: with save_weights_only, expected a filepath ending in \".safetensors\", "
                       "received \"w.tkeras\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = "m.tkeras", .save_freq = "batch"}),
                       "ModelCheckpoint: expected save_freq \"epoch\" or a number of batches, received \"batch\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = "m.tkeras", .save_freq = int64_t{0}}),
                       "ModelCheckpoint: expected save_freq \"epoch\" or >= 1, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = "m.tkeras", .mode = "up"}),
                       "ModelCheckpoint: expected mode \"auto\", \"min\" or \"max\", received \"up\"", tkeras::Error);
  CHECK_THROWS_WITH_AS(ModelCheckpoint({.filepath = ""}), "ModelCheckpoint: expected a filepath, received an empty one",
                       tkeras::Error);
}
