// Tests for CSVLogger.
#include "tkeras/callbacks/csv_logger.h"

#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/callbacks/early_stopping.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("CSVLogger writes a header and one row per epoch run, also when training stops early") {
  tkeras::testing::TempDir dir;
  const auto path = dir.path() / "log.csv";
  const auto data = tkeras::testing::blobs(40, 2, 3, 40);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile(
      {.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
  auto stop_after_two = std::make_shared<tkeras::callbacks::EarlyStopping>(
      tkeras::callbacks::EarlyStoppingOptions{.monitor = "loss", .mode = "max"});
  auto logger = std::make_shared<tkeras::callbacks::CSVLogger>(path);
  const tkeras::History history = model.fit(
      data.x, data.y, {.epochs = 10, .validation_split = 0.25, .verbose = 0, .callbacks = {stop_after_two, logger}});
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == history.epoch.size() + 1);
  CHECK(history.epoch.size() < 10);
  CHECK(lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss");
  CHECK(lines[1].starts_with("0,"));
  CHECK(std::stod(lines[1].substr(lines[1].find(',') + 1)) == doctest::Approx(history.history.at("accuracy")[0]));
}

TEST_CASE("CSVLogger appends rows without a second header, with the separator asked for") {
  tkeras::testing::TempDir dir;
  const auto path = dir.path() / "log.tsv";
  tkeras::Sequential model;
  tkeras::callbacks::CSVLogger first(path, {.separator = '\t'});
  first.set_model(model);
  first.on_train_begin({});
  first.on_epoch_end(0, {{"loss", 0.5}});
  first.on_train_end({});
  tkeras::callbacks::CSVLogger second(path, {.separator = '\t', .append = true});
  second.set_model(model);
  second.on_train_begin({});
  second.on_epoch_end(1, {{"loss", 0.25}});
  second.on_epoch_end(2, {{"acc", 1.0}});
  second.on_train_end({});
  CHECK(lines_of(path) == std::vector<std::string>{"epoch\tloss", "0\t0.5", "1\t0.25", "2\tNA"});
}
