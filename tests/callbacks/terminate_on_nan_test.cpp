// Tests for TerminateOnNaN.
#include "tkeras/callbacks/terminate_on_nan.h"

#include <cmath>
#include <limits>
#include <sstream>

#include <doctest/doctest.h>

#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"

TEST_CASE("TerminateOnNaN stops a model driven to NaN after the first bad batch and says so") {
  torch::Tensor x = torch::randn({64, 3});
  x[5][1] = std::numeric_limits<float>::quiet_NaN();
  tkeras::Sequential model({tkeras::layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse", .device = "cpu"});
  std::ostringstream out;
  auto terminate = std::make_shared<tkeras::callbacks::TerminateOnNaN>(out);
  const tkeras::History history =
      model.fit(x, torch::zeros({64, 1}),
                {.epochs = 5, .batch_size = 16, .shuffle = false, .verbose = 0, .callbacks = {terminate}});
  CHECK(out.str() == "Batch 0: Invalid loss, terminating training\n");
  CHECK(history.epoch == std::vector<int>{0});
  CHECK(std::isnan(history.history.at("loss")[0]));
}

TEST_CASE("TerminateOnNaN leaves finite training alone") {
  tkeras::Sequential model({tkeras::layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse", .device = "cpu"});
  std::ostringstream out;
  const tkeras::History history =
      model.fit(torch::randn({32, 3}), torch::zeros({32, 1}),
                {.epochs = 3, .verbose = 0, .callbacks = {std::make_shared<tkeras::callbacks::TerminateOnNaN>(out)}});
  CHECK(out.str().empty());
  CHECK(history.epoch.size() == 3);
}
