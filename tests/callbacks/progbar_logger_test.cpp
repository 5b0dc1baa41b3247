// Tests for ProgbarLogger's line format and silence at verbose 0.
#include "tkeras/callbacks/progbar_logger.h"

#include <regex>
#include <sstream>

#include <doctest/doctest.h>

#include "support.h"
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
