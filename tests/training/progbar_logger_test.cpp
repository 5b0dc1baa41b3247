// Tests for ProgbarLogger's line format and silence at verbose 0.
#include "tkeras/training/progbar_logger.h"

#include <regex>
#include <sstream>

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/data/dataset.h"
#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

namespace {

std::string fit_output(int verbose) {
  const auto data = tkeras::testing::blobs(40, 2, 3, 7);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile(
      {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
  std::ostringstream out;
  auto logger = std::make_shared<tkeras::callbacks::ProgbarLogger>(out);
  model.fit(data.x, data.y,
            {.epochs = 2, .batch_size = 10, .validation_split = 0.25, .verbose = verbose, .callbacks = {logger}});
  return out.str();
}

}  // namespace

TEST_CASE("verbose 1 prints the epoch and one Keras-style line of sorted logs per epoch") {
  const std::string output = fit_output(1);
  const std::regex expected(
      "Epoch 1/2\n"
      "3/3 - 0s - \\d+(us|ms)/step - accuracy: \\d\\.\\d{4} - loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4} - "
      "val_loss: \\d\\.\\d{4}\n"
      "Epoch 2/2\n"
      "3/3 - 0s - .*\n");
  CHECK_MESSAGE(std::regex_match(output, expected), output);
}

TEST_CASE("verbose 0 prints nothing") { CHECK(fit_output(0).empty()); }

TEST_CASE("evaluate prints one line of its results, not once per fit epoch") {
  const auto data = tkeras::testing::blobs(20, 2, 3, 8);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::ostringstream out;
  model.evaluate(data.x, data.y,
                 {.batch_size = 8, .callbacks = {std::make_shared<tkeras::callbacks::ProgbarLogger>(out)}});
  CHECK_MESSAGE(std::regex_match(out.str(), std::regex("3/3 - 0s - \\d+(us|ms)/step - loss: \\d\\.\\d{4}\n")),
                out.str());
}

namespace {

std::string live_output(int verbose, int width) {
  const auto data = tkeras::testing::blobs(40, 2, 3, 9);
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile(
      {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"});
  std::ostringstream out;
  auto logger = std::make_shared<tkeras::callbacks::ProgbarLogger>(
      tkeras::callbacks::ProgbarLoggerOptions{.out = &out, .terminal = true, .width = width, .interval = 0.0});
  model.fit(data.x, data.y,
            {.epochs = 1, .batch_size = 10, .validation_split = 0.25, .verbose = verbose, .callbacks = {logger}});
  return out.str();
}

// What a terminal shows: escape codes removed, each \r returning to the line's start.
std::vector<std::string> drawn_lines(const std::string& output) {
  const std::string plain = std::regex_replace(output, std::regex("\x1b\\[[0-9]*[mK]"), "");
  std::vector<std::string> draws;
  std::string current;
  for (char c : plain) {
    if (c == '\r' || c == '\n') {
      if (!current.empty()) draws.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return draws;
}

size_t columns(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("on a terminal verbose 1 redraws Keras's bar in place and ends the epoch with validation values") {
  const std::string output = live_output(1, 200);
  const auto draws = drawn_lines(output);
  REQUIRE(draws.size() == 5);  // the epoch header, batches 1, 2 and 3, and the final line
  CHECK(draws[0] == "Epoch 1/1");
  CHECK_MESSAGE(
      std::regex_match(draws[1], std::regex("1/3 (━){20} 0s \\d+(us|ms)/step - accuracy: \\d\\.\\d{4} - loss: "
                                            "\\d\\.\\d{4}")),
      draws[1]);
  CHECK_MESSAGE(std::regex_match(draws[4], std::regex("3/3 (━){20} 0s \\d+(us|ms)/step - accuracy: .* - val_accuracy: "
                                                      "\\d\\.\\d{4} - val_loss: \\d\\.\\d{4}")),
                draws[4]);
  CHECK(output.find("\r\x1b[K") != std::string::npos);
  CHECK(output.back() == '\n');
}

TEST_CASE("redraws are cut to the terminal's width so that they never wrap, and the final line is whole") {
  const auto draws = drawn_lines(live_output(1, 40));
  REQUIRE(draws.size() == 5);
  for (size_t i = 1; i + 1 < draws.size(); ++i) {
    CAPTURE(draws[i]);
    CHECK(columns(draws[i]) == 39);
  }
  CHECK(columns(draws.back()) > 39);
  CHECK(draws.back().find("val_loss") != std::string::npos);
}

TEST_CASE("verbose 2 prints one line per epoch even on a terminal") {
  const auto draws = drawn_lines(live_output(2, 200));
  REQUIRE(draws.size() == 2);
  CHECK(draws[1].starts_with("3/3 - 0s - "));
}

TEST_CASE("for a dataset of unknown length the bar counts steps as Unknown until the first epoch ends") {
  const auto data = tkeras::testing::blobs(30, 2, 3, 10);
  const auto generated = tkeras::data::Dataset::from_generator([data] {
    return [data, i = int64_t{0}]() mutable -> std::optional<tkeras::data::Element> {
      if (i == 3) return std::nullopt;
      const int64_t start = 10 * i++;
      return tkeras::data::Element{data.x.narrow(0, start, 10), data.y.narrow(0, start, 10)};
    };
  });
  tkeras::Sequential model({tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  std::ostringstream live;
  model.fit(generated,
            {.epochs = 2,
             .callbacks = {std::make_shared<tkeras::callbacks::ProgbarLogger>(
                 tkeras::callbacks::ProgbarLoggerOptions{.out = &live, .terminal = true, .interval = 0.0})}});
  const auto draws = drawn_lines(live.str());
  REQUIRE(draws.size() == 10);  // per epoch: the header, batches 1, 2 and 3, and the final line
  CHECK_MESSAGE(std::regex_match(draws[1], std::regex(" +1/Unknown 0s \\d+(us|ms)/step - loss: \\d\\.\\d{4}")),
                draws[1]);
  CHECK_MESSAGE(std::regex_match(draws[3], std::regex(" +3/Unknown 0s .*")), draws[3]);
  // The epoch's final line, and the second epoch, know that it has 3 steps, as Keras's.
  CHECK_MESSAGE(std::regex_match(draws[4], std::regex("3/3 (━){20} .*")), draws[4]);
  CHECK_MESSAGE(std::regex_match(draws[6], std::regex("1/3 (━){20} .*")), draws[6]);
  std::ostringstream lines;
  model.evaluate(generated, {.callbacks = {std::make_shared<tkeras::callbacks::ProgbarLogger>(lines)}});
  CHECK_MESSAGE(lines.str().starts_with("3/3 - 0s - "), lines.str());
}
