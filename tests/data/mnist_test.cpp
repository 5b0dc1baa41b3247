// Tests for the MNIST digits loader and where it looks.
#include "tkeras/data/mnist.h"

#include <cstdlib>

#include <doctest/doctest.h>

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("the digits live in $TKERAS_HOME/datasets/mnist, by default ~/.tkeras/datasets/mnist") {
  {
    const ScopedEnv home("TKERAS_HOME", "/opt/tk");
    CHECK(tkeras::datasets::mnist::default_dir() == std::filesystem::path("/opt/tk/datasets/mnist"));
  }
  const ScopedEnv no_tkeras_home("TKERAS_HOME", nullptr);
  const ScopedEnv home("HOME", "/home/ada");
  CHECK(tkeras::datasets::mnist::default_dir() == std::filesystem::path("/home/ada/.tkeras/datasets/mnist"));
}

TEST_CASE("the set-up's digits split 8,000/2,000 with every digit in both sets") {
  const auto dir = tkeras::datasets::mnist::default_dir();
  // make test runs the set-up first, so the digits are there; a bare build without it skips.
  if (!tkeras::datasets::has_idx_dataset(dir)) {
    MESSAGE("no digits in " << dir << "; run `make data`");
    return;
  }
  auto [x_train, y_train, x_test, y_test] = tkeras::datasets::mnist::load_data();
  CHECK(x_train.sizes().vec() == std::vector<int64_t>{8000, 28, 28});
  CHECK(x_test.sizes().vec() == std::vector<int64_t>{2000, 28, 28});
  CHECK(torch::bincount(y_train).min().item<int64_t>() > 600);
  CHECK(torch::bincount(y_test).min().item<int64_t>() > 150);
  CHECK(x_train.max().item<int>() == 255);
}
