// Tests that need a CUDA device: placement, CPU/CUDA agreement, and weights moving between them.
// They are skipped (and say so in doctest's summary) where LibTorch sees no CUDA device;
// scripts/gpu_check.sh runs them on a GPU machine.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/callbacks/learning_rate_scheduler.h"
#include "tkeras/core/random.h"
#include "tkeras/data/dataset.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

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
  model.compile(
      {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cuda"});
  model.build({4, 4});
  for (const torch::Tensor& weight : model.trainable_weights()) CHECK(weight.is_cuda());
  const tkeras::History history = model.fit(data.x.view({64, 4, 4}), data.y, {.epochs = 3, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  // predict returns the outputs on the device the inputs came from.
  CHECK(model.predict(data.x.view({64, 4, 4}), {.verbose = 0}).is_cpu());
}

TEST_CASE("CUDA: a seeded run without shuffling matches the CPU within floating-point noise" * doctest::skip(kNoCuda)) {
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

namespace {

struct CudaRun {
  std::vector<double> loss, accuracy, val_loss;
  std::vector<torch::Tensor> weights;
  int64_t iterations = 0;
};

// 1000 samples in batches of 32: 25 full batches and a last one of 8 after the 0.2 split,
// shuffled, with a learning rate that halves every epoch.
CudaRun train_on_cuda(bool jit, const char* precision = "float32") {
  const auto data = tkeras::testing::blobs(1000, 3, 16, 8);
  tkeras::utils::set_random_seed(4);
  tkeras::Sequential model = course_model();
  model.build({4, 4});
  model.compile({.optimizer = "adam",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cuda",
                 .jit = jit,
                 .precision = precision});
  const auto halve = std::make_shared<tkeras::callbacks::LearningRateScheduler>(
      [](int epoch, double learning_rate) { return epoch == 0 ? learning_rate : learning_rate / 2; });
  const tkeras::History history =
      model.fit(data.x.view({1000, 4, 4}), data.y,
                {.epochs = 4, .batch_size = 32, .validation_split = 0.2, .verbose = 0, .callbacks = {halve}});
  return {history.history.at("loss"), history.history.at("accuracy"), history.history.at("val_loss"),
          model.get_weights(), model.optimizer_iterations()};
}

}  // namespace

TEST_CASE("CUDA: jit replays a captured train step that trains as the eager step does" * doctest::skip(kNoCuda)) {
  const CudaRun eager = train_on_cuda(false);
  const CudaRun jit = train_on_cuda(true);
  CHECK(jit.iterations == eager.iterations);
  CHECK(eager.iterations == 4 * 25);
  REQUIRE(jit.loss.size() == eager.loss.size());
  for (size_t i = 0; i < eager.loss.size(); ++i) {
    CHECK(jit.loss[i] == doctest::Approx(eager.loss[i]).epsilon(1e-4));
    CHECK(jit.accuracy[i] == doctest::Approx(eager.accuracy[i]).epsilon(1e-3));
    CHECK(jit.val_loss[i] == doctest::Approx(eager.val_loss[i]).epsilon(1e-4));
  }
  for (size_t i = 0; i < eager.weights.size(); ++i) {
    CHECK(torch::allclose(jit.weights[i], eager.weights[i], 1e-3, 1e-5));
  }
}

TEST_CASE("CUDA: bf16-mixed converges, with and without jit" * doctest::skip(kNoCuda)) {
  const CudaRun float32 = train_on_cuda(false);
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    const CudaRun bf16 = train_on_cuda(jit, "bf16-mixed");
    for (const torch::Tensor& weight : bf16.weights) CHECK((weight.scalar_type() == torch::kFloat32));
    CHECK(bf16.loss.back() < bf16.loss.front());
    CHECK(bf16.accuracy.back() > 0.9);
    CHECK(bf16.accuracy.back() == doctest::Approx(float32.accuracy.back()).epsilon(0.05));
  }
}

TEST_CASE("CUDA: jit captures dropout and the model still learns" * doctest::skip(kNoCuda)) {
  const auto data = tkeras::testing::blobs(640, 3, 16, 9);
  tkeras::utils::set_random_seed(5);
  tkeras::Sequential model(
      {layers::Input({16}), layers::Dense(32, "relu"), layers::Dropout(0.3), layers::Dense(3, "softmax")});
  model.compile({.optimizer = "adam",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cuda",
                 .jit = true});
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 5, .batch_size = 32, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  CHECK(model.evaluate(data.x, data.y, {.verbose = 0}).at("accuracy") > 0.9);
}

TEST_CASE("CUDA: jit captures an Embedding-LSTM train step, with and without a mask, and trains as eager" *
          doctest::skip(kNoCuda)) {
  // LibTorch's cuDNN LSTM without a mask; Keras's step equations with one. If the graph cannot
  // be captured, fit's error says why (the issue asks jit to capture the recurrent step or say so).
  torch::manual_seed(3);
  const torch::Tensor y = torch::randint(2, {256}, torch::kLong);
  torch::Tensor x = torch::randint(3, 50, {256, 12}, torch::kLong);
  x.select(1, 11).copy_(y + 1);
  x.narrow(1, 0, 3).zero_();  // front padding
  for (const bool mask_zero : {false, true}) {
    CAPTURE(mask_zero);
    std::vector<double> losses[2];
    for (const bool jit : {false, true}) {
      tkeras::utils::set_random_seed(4);
      tkeras::Sequential model({layers::Input({12}), layers::Embedding(50, 8, {.mask_zero = mask_zero}),
                                layers::LSTM(16), layers::Dense(2, "softmax")});
      model.compile({.optimizer = "adam",
                     .loss = "sparse_categorical_crossentropy",
                     .metrics = {"accuracy"},
                     .device = "cuda",
                     .jit = jit});
      losses[jit] = model.fit(x, y, {.epochs = 4, .batch_size = 32, .shuffle = false, .verbose = 0}).history.at("loss");
    }
    for (size_t i = 0; i < losses[0].size(); ++i) CHECK(losses[1][i] == doctest::Approx(losses[0][i]).epsilon(1e-3));
  }
}

TEST_CASE("CUDA: a model trained with jit on CUDA loads on the CPU with the same predictions" *
          doctest::skip(kNoCuda)) {
  const tkeras::testing::TempDir dir;
  const auto data = tkeras::testing::blobs(256, 3, 16, 10);
  tkeras::Sequential trained = course_model();
  trained.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cuda", .jit = true});
  trained.fit(data.x.view({256, 4, 4}), data.y, {.epochs = 2, .verbose = 0});
  const auto path = (dir.path() / "jit.tkeras").string();
  trained.save(path);
  const std::shared_ptr<tkeras::Model> on_cpu = tkeras::models::load_model(path, {.device = "cpu"});
  CHECK(on_cpu->device().is_cpu());
  CHECK(on_cpu->optimizer_iterations() == trained.optimizer_iterations());
  const torch::Tensor x = data.x.view({256, 4, 4});
  CHECK(torch::allclose(on_cpu->predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0}), 1e-5, 1e-6));
}

TEST_CASE("CUDA: fit on a dataset copies its batches from pinned memory and trains as on tensors" *
          doctest::skip(kNoCuda)) {
  const auto data = tkeras::testing::blobs(96, 3, 16, 6);
  const torch::Tensor x = data.x.view({96, 4, 4});
  auto train = [&](bool dataset) {
    tkeras::utils::set_random_seed(4);
    tkeras::Sequential model = course_model();
    model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cuda"});
    const tkeras::History history =
        dataset ? model.fit(tkeras::data::Dataset::from_tensor_slices(x, data.y).batch(32), {.epochs = 3, .verbose = 0})
                : model.fit(x, data.y, {.epochs = 3, .batch_size = 32, .shuffle = false, .verbose = 0});
    return history.history.at("loss");
  };
  const std::vector<double> from_dataset = train(true);
  const std::vector<double> from_tensors = train(false);
  REQUIRE(from_dataset.size() == from_tensors.size());
  for (size_t i = 0; i < from_dataset.size(); ++i)
    CHECK(from_dataset[i] == doctest::Approx(from_tensors[i]).epsilon(1e-5));
}
