// Fashion-MNIST from Debian's dataset-fashion-mnist package.
#include "tkeras/data/fashion_mnist.h"

namespace tkeras::datasets::fashion_mnist {

std::filesystem::path default_dir() { return "/usr/share/datasets/fashion-mnist"; }

TrainTestSplit load_data(const std::filesystem::path& dir) { return load_idx_dataset(dir, "fashion_mnist"); }

}  // namespace tkeras::datasets::fashion_mnist
