// Fashion-MNIST: 70,000 28x28 images of clothing in 10 classes, from Debian's package.
#pragma once

#include <filesystem>

#include "tkeras/data/train_test_split.h"

namespace tkeras::datasets::fashion_mnist {

/// Where `load_data()` looks by default: `/usr/share/datasets/fashion-mnist`, where Debian's
/// `dataset-fashion-mnist` package installs the four IDX files.
std::filesystem::path default_dir();

/// Loads Fashion-MNIST from `dir` as `{x_train, y_train, x_test, y_test}`: 60,000 training and
/// 10,000 test images, uint8 `[N, 28, 28]`, and int64 labels 0..9. Default: `default_dir()`.
TrainTestSplit load_data(const std::filesystem::path& dir = default_dir());

}  // namespace tkeras::datasets::fashion_mnist
