// TrainTestSplit: the train/test split that the dataset loaders return.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include <torch/types.h>

namespace tkeras::datasets {

/// A dataset split into training and test sets, as Keras's
/// `(x_train, y_train), (x_test, y_test) = load_data()`.
///
/// Use it with structured bindings:
/// `auto [x_train, y_train, x_test, y_test] = tkeras::datasets::mnist::load_data();`
struct TrainTestSplit {
  torch::Tensor x_train;  ///< Training inputs; for the image sets uint8 `[N, 28, 28]`.
  torch::Tensor y_train;  ///< Training labels, int64 `[N]`.
  torch::Tensor x_test;   ///< Test inputs, held out from training.
  torch::Tensor y_test;   ///< Test labels, int64 `[N]`.
};

/// Finds `stem` or `stem.gz` in `dir`; empty when neither exists.
std::optional<std::filesystem::path> find_idx_file(const std::filesystem::path& dir, std::string_view stem);

/// Whether `dir` holds the four standard IDX files of an MNIST-like set
/// (`{train,t10k}-{images-idx3,labels-idx1}-ubyte`, plain or `.gz`).
bool has_idx_dataset(const std::filesystem::path& dir);

/// Loads the four standard IDX files of an MNIST-like set from `dir`: images as uint8
/// `[N, H, W]`, labels as int64 `[N]`. `name` is used in error messages.
///
/// Throws `tkeras::Error` naming the directory when a file is missing, and naming the file
/// when it is malformed or when images and labels disagree in count.
TrainTestSplit load_idx_dataset(const std::filesystem::path& dir, std::string_view name);

}  // namespace tkeras::datasets
