// Tests for the Fashion-MNIST loader.
#include "tkeras/data/fashion_mnist.h"

#include <doctest/doctest.h>

#include "tkeras/core/error.h"

TEST_CASE("Fashion-MNIST is read from Debian's package by default") {
  CHECK(tkeras::datasets::fashion_mnist::default_dir() == std::filesystem::path("/usr/share/datasets/fashion-mnist"));
}

TEST_CASE("Fashion-MNIST loads 60,000 training and 10,000 test images in 10 classes") {
  if (!tkeras::datasets::has_idx_dataset(tkeras::datasets::fashion_mnist::default_dir())) {
    MESSAGE("dataset-fashion-mnist is not installed; run `make setup`");
    return;
  }
  auto [x_train, y_train, x_test, y_test] = tkeras::datasets::fashion_mnist::load_data();
  CHECK(x_train.sizes().vec() == std::vector<int64_t>{60000, 28, 28});
  CHECK(y_test.size(0) == 10000);
  CHECK(torch::bincount(y_train).size(0) == 10);
}

TEST_CASE("loading from a directory without the files says where it looked") {
  CHECK_THROWS_WITH_AS(tkeras::datasets::fashion_mnist::load_data("/nonexistent"),
                       "fashion_mnist: no train-images-idx3-ubyte or train-images-idx3-ubyte.gz in \"/nonexistent\"",
                       tkeras::Error);
}
