// Tests for tkeras/core/denormals.h: subnormal floats flushed while fit, evaluate and predict run.
#include "tkeras/core/denormals.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/callbacks/lambda_callback.h"
#include "tkeras/core/config.h"
#include "tkeras/core/random.h"
#include "tkeras/data/dataset.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace {

using tkeras::FlushDenormalScope;
using tkeras::flushes_denormals;

#if defined(__x86_64__) || defined(_M_X64)
constexpr bool kCanFlush = true;
#else
constexpr bool kCanFlush = false;
#endif

// Whether each of LibTorch's intra-op threads flushes now (two threads, one index each).
std::vector<bool> pool_flushes() {
  std::vector<char> flushes(static_cast<size_t>(at::get_num_threads()), 0);
  at::parallel_for(0, static_cast<int64_t>(flushes.size()), 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) flushes[static_cast<size_t>(i)] = flushes_denormals() ? 1 : 0;
  });
  return {flushes.begin(), flushes.end()};
}

// LibTorch's intra-op threads set to `threads` for one test.
class IntraOpThreads {
 public:
  explicit IntraOpThreads(int threads) : previous_(at::get_num_threads()) { at::set_num_threads(threads); }
  ~IntraOpThreads() { at::set_num_threads(previous_); }
  IntraOpThreads(const IntraOpThreads&) = delete;
  IntraOpThreads& operator=(const IntraOpThreads&) = delete;

 private:
  int previous_;
};

// The float32 tensors of a tkeras model file (safetensors) whose names start with `prefix`, joined.
torch::Tensor read_float_tensors(const std::filesystem::path& path, const std::string& prefix) {
  const std::string bytes = tkeras::testing::read_bytes(path);
  REQUIRE(bytes.size() >= 8);
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  const tkeras::Config header = tkeras::Config::parse(bytes.substr(8, header_size));
  std::vector<torch::Tensor> parts;
  for (const auto& [name, entry] : header.items()) {
    if (!name.starts_with(prefix)) continue;
    REQUIRE(entry.at("dtype") == "F32");
    const auto begin = entry.at("data_offsets")[0].get<int64_t>();
    const auto end = entry.at("data_offsets")[1].get<int64_t>();
    torch::Tensor values = torch::empty({(end - begin) / 4}, torch::kFloat32);
    std::memcpy(values.data_ptr(), bytes.data() + 8 + header_size + begin, static_cast<size_t>(end - begin));
    parts.push_back(values);
  }
  REQUIRE(!parts.empty());
  return torch::cat(parts);
}

// Trains Dense(1) with Adam one sample a step. Input 0 is 1e-31 in the first sample and 0 after,
// so its kernel's first moment starts near 1e-32 and only decays (by beta_1 = 0.9 a step): after
// 160 more steps it is near 5e-40, below float32's smallest normal number (1.2e-38). Returns the
// saved first moments.
torch::Tensor adam_moments_after_a_dead_input(const tkeras::testing::TempDir& dir) {
  tkeras::utils::set_random_seed(3);
  const int64_t samples = 161;
  torch::Tensor x = torch::rand({samples, 4});
  x.select(1, 0).zero_();
  x[0][0] = 1e-31F;
  const torch::Tensor y = torch::rand({samples, 1});
  tkeras::Sequential model({tkeras::layers::Input({4}), tkeras::layers::Dense(1)});
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.fit(x, y, {.epochs = 1, .batch_size = 1, .shuffle = false, .verbose = 0});
  const auto path = dir.path() / "model.tkeras";
  model.save(path.string());
  return read_float_tensors(path, "optimizer.momentums");
}

bool has_subnormals(const torch::Tensor& values) {
  const torch::Tensor magnitude = values.abs();
  return (magnitude.gt(0) & magnitude.lt(std::numeric_limits<float>::min())).any().item<bool>();
}

}  // namespace

TEST_CASE("subnormals are flushed by default, and set_flush_denormal turns it off and on") {
  CHECK(tkeras::config::flush_denormal());
  tkeras::config::set_flush_denormal(false);
  CHECK_FALSE(tkeras::config::flush_denormal());
  tkeras::config::set_flush_denormal(true);
  CHECK(tkeras::config::flush_denormal());
}

TEST_CASE("a FlushDenormalScope flushes the calling thread and every intra-op thread, then restores each") {
  const IntraOpThreads two(2);
  REQUIRE_FALSE(flushes_denormals());
  REQUIRE(pool_flushes() == std::vector<bool>{false, false});
  {
    const FlushDenormalScope flush(true);
    CHECK(flushes_denormals() == kCanFlush);
    CHECK(pool_flushes() == std::vector<bool>{kCanFlush, kCanFlush});
    volatile float tiny = 1e-39F;  // subnormal: read as 0 when flushing
    CHECK((tiny * 1.0F == 0.0F) == kCanFlush);
    {
      const FlushDenormalScope nested(true);
      CHECK(flushes_denormals() == kCanFlush);
    }
    CHECK(flushes_denormals() == kCanFlush);  // only the outermost scope restores
    CHECK(pool_flushes() == std::vector<bool>{kCanFlush, kCanFlush});
  }
  CHECK_FALSE(flushes_denormals());
  CHECK(pool_flushes() == std::vector<bool>{false, false});
  {
    const FlushDenormalScope off(false);
    CHECK_FALSE(flushes_denormals());
  }
}

TEST_CASE("fit, evaluate, predict and a dataset's workers flush while they run, and the caller's mode comes back") {
  const IntraOpThreads two(2);
  const auto data = tkeras::testing::blobs(40, 2, 3, 7);
  tkeras::Sequential model({tkeras::layers::Input({3}), tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  std::vector<bool> in_fit, in_pool;
  std::atomic<int> worker_calls = 0, worker_flushed = 0;  // the map function runs on two workers
  const auto probe = std::make_shared<tkeras::callbacks::LambdaCallback>(
      tkeras::callbacks::LambdaCallbackOptions{.on_train_batch_end = [&](int64_t, const tkeras::Logs&) {
        in_fit.push_back(flushes_denormals());
        for (bool flushes : pool_flushes()) in_pool.push_back(flushes);
      }});
  const tkeras::data::Dataset dataset = tkeras::data::Dataset::from_tensor_slices(data.x, data.y)
                                            .map(
                                                [&](tkeras::data::Element element) {
                                                  ++worker_calls;
                                                  if (flushes_denormals()) ++worker_flushed;
                                                  return element;
                                                },
                                                {.num_parallel_calls = 2})
                                            .batch(8);
  model.fit(dataset, {.epochs = 1, .verbose = 0, .callbacks = {probe}});
  CHECK_FALSE(flushes_denormals());
  CHECK(pool_flushes() == std::vector<bool>{false, false});
  REQUIRE(in_fit.size() == 5);
  for (bool flushes : in_fit) CHECK(flushes == kCanFlush);
  for (bool flushes : in_pool) CHECK(flushes == kCanFlush);
  CHECK(worker_calls == 40);
  CHECK(worker_flushed == (kCanFlush ? 40 : 0));
  model.evaluate(dataset, {.verbose = 0});
  model.predict(dataset, {.verbose = 0});
  CHECK(worker_calls == 120);
  CHECK(worker_flushed == (kCanFlush ? 120 : 0));
  CHECK_FALSE(flushes_denormals());
}

TEST_CASE("Adam's moments that decay below float32's normal range become 0 in fit, and stay subnormal when kept") {
  const tkeras::testing::TempDir dir;
  const torch::Tensor flushed = adam_moments_after_a_dead_input(dir);
  tkeras::config::set_flush_denormal(false);
  const torch::Tensor kept = adam_moments_after_a_dead_input(dir);
  tkeras::config::set_flush_denormal(true);
  // The first kernel entry: its gradient was about 1e-31 once, then 0.
  CHECK(std::abs(kept[0].item<float>()) > 0.0F);
  CHECK(std::abs(kept[0].item<float>()) < std::numeric_limits<float>::min());
  CHECK(has_subnormals(kept));
  if (kCanFlush) {
    CHECK(flushed[0].item<float>() == 0.0F);
    CHECK_FALSE(has_subnormals(flushed));
  }
  // Every other moment is a normal number both ways, and the same.
  CHECK(torch::allclose(flushed.slice(0, 1), kept.slice(0, 1), 1e-6, 0.0));
}
