// Loading the four standard IDX files of an MNIST-like set, with checks that they agree.
#include "tkeras/data/train_test_split.h"

#include <array>

#include <fmt/format.h>

#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"
#include "tkeras/data/idx.h"

namespace tkeras::datasets {
namespace {

constexpr std::array<std::string_view, 4> kStems = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

torch::Tensor load_part(const std::filesystem::path& dir, std::string_view stem, std::string_view name) {
  auto path = find_idx_file(dir, stem);
  if (!path) {
    throw Error(fmt::format("{}: no {} or {}.gz in \"{}\"", name, stem, stem, dir.string()));
  }
  return load_idx(*path);
}

void check_pair(const torch::Tensor& images, const torch::Tensor& labels, std::string_view split, std::string_view name,
                const std::filesystem::path& dir) {
  if (images.dim() < 2 || labels.dim() != 1) {
    throw Error(
        fmt::format("{}: expected {} images of shape [N, H, W] and labels of shape [N] in \"{}\", received "
                    "images {} and labels {}",
                    name, split, dir.string(), format_shape(images.sizes().vec()), format_shape(labels.sizes().vec())));
  }
  if (images.size(0) != labels.size(0)) {
    throw Error(fmt::format("{}: expected as many {} labels as images in \"{}\", received {} images and {} labels",
                            name, split, dir.string(), images.size(0), labels.size(0)));
  }
}

}  // namespace

std::optional<std::filesystem::path> find_idx_file(const std::filesystem::path& dir, std::string_view stem) {
  std::error_code ec;
  for (const auto& candidate : {dir / stem, dir / (std::string(stem) + ".gz")}) {
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

bool has_idx_dataset(const std::filesystem::path& dir) {
  for (std::string_view stem : kStems) {
    if (!find_idx_file(dir, stem)) return false;
  }
  return true;
}

TrainTestSplit load_idx_dataset(const std::filesystem::path& dir, std::string_view name) {
  TrainTestSplit data{load_part(dir, kStems[0], name), load_part(dir, kStems[1], name), load_part(dir, kStems[2], name),
                      load_part(dir, kStems[3], name)};
  check_pair(data.x_train, data.y_train, "training", name, dir);
  check_pair(data.x_test, data.y_test, "test", name, dir);
  data.y_train = data.y_train.to(torch::kInt64);
  data.y_test = data.y_test.to(torch::kInt64);
  return data;
}

}  // namespace tkeras::datasets
