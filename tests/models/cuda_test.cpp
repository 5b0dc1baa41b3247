// Tests that need a CUDA device: placement, CPU/CUDA agreement, and weights moving between them.
// They are skipped (and say so in doctest's summary) where LibTorch sees no CUDA device;
// scripts/gpu_check.sh runs them on a GPU machine.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

namespace {

const bool kNoCuda = !torch::cuda::is_available();

tkeras::Sequential course_model() {
  return tkeras::Sequential(
      {layers::Input({4, 4}), layers::Flatten(), layers::Dense(16, "relu"), layers::Dense(3, "softmax")});
}

}  // namespace

TEST_CASE("CUDA: compile moves the weights to the device and fit trains there" * doctest::skip(kNoCuda)) {
  const auto data = tkeras::testing::blobs(64, 3, 16, 5);
  tkeras::Sequential model = course_model();
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                 .device = "cuda"});
  model.build({4, 4});
  for (const torch::Tensor& weight : model.trainable_weights()) CHECK(weight.is_cuda());
  const tkeras::History history = model.fit(data.x.view({64, 4, 4}), data.y, {.epochs = 3, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  // predict returns the outputs on the device the inputs came from.
  CHECK(model.predict(data.x.view({64, 4, 4}), {.verbose = 0}).is_cpu());
}

TEST_CASE("CUDA: a seeded run without shuffling matches the CPU within floating-point noise" *
          doctest::skip(kNoCuda)) {
  const auto data = tkeras::testing::blobs(64, 3, 16, 6);
  const auto train = [&](const char* device) {
    tkeras::utils::set_random_seed(3);
    tkeras::Sequential model = course_model();
    model.build({4, 4});  // weights drawn on the CPU, the same for both runs
    model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = device});
    return model.fit(data.x.view({64, 4, 4}), data.y, {.epochs = 3, .batch_size = 16, .shuffle = false, .verbose = 0})
        .history.at("loss");
  };
  const std::vector<double> cpu = train("cpu");
  const std::vector<double> cuda = train("cuda");
  REQUIRE(cpu.size() == cuda.size());
  for (size_t i = 0; i < cpu.size(); ++i) CHECK(cuda[i] == doctest::Approx(cpu[i]).epsilon(1e-4));
}

TEST_CASE("CUDA: weights saved from a model trained on CUDA load on the CPU with the same predictions" *
          doctest::skip(kNoCuda)) {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(32, 3, 16, 7);
  tkeras::Sequential trained = course_model();
  trained.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cuda"});
  trained.fit(data.x.view({32, 4, 4}), data.y, {.epochs = 2, .verbose = 0});
  const auto path = (dir.path() / "cuda.safetensors").string();
  trained.save_weights(path);

  tkeras::Sequential on_cpu = course_model();
  on_cpu.build({4, 4});
  on_cpu.load_weights(path);
  const torch::Tensor x = data.x.view({32, 4, 4});
  CHECK(torch::allclose(on_cpu.predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0}), 1e-5, 1e-6));
}
