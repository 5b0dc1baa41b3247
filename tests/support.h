// Shared helpers for the tests: seeded tiny data sets and a temporary directory.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

// torch before doctest, so that doctest's CHECK wins over glog's.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/layers/layer.h"

namespace tkeras::testing {

/// `samples` points in `features` dimensions around `classes` well-separated centres, with
/// int64 labels; the same seed gives the same data.
struct Blobs {
  torch::Tensor x;
  torch::Tensor y;
};

inline Blobs blobs(int64_t samples, int64_t classes, int64_t features, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor centres = torch::randn({classes, features}, generator) * 3.0;
  const torch::Tensor y = torch::randint(classes, {samples}, generator, torch::kLong);
  const torch::Tensor x = centres.index_select(0, y) + torch::randn({samples, features}, generator) * 0.5;
  return {x, y};
}

/// Checks that `a` and `b` hold the same weights, bit for bit, in the same order.
inline void check_same_weights(const tkeras::layers::Layer& a, const tkeras::layers::Layer& b) {
  const auto wa = a.get_weights();
  const auto wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (size_t i = 0; i < wa.size(); ++i) CHECK(torch::equal(wa[i], wb[i]));
}

/// The whole contents of the file at `path` (empty when it cannot be read).
inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A fresh directory under the system's temporary directory, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::mt19937_64 random(std::random_device{}());
    path_ = std::filesystem::temp_directory_path() / ("tkeras-test-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tkeras::testing
