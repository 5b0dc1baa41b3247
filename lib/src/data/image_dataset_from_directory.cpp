// image_dataset_from_directory: index the folder as Keras's index_directory, then decode and
// resize on worker threads.
#include "tkeras/data/image_dataset_from_directory.h"

#include <algorithm>
#include <iostream>
#include <random>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "data/pipeline.h"
#include "data/resize.h"
#include "tkeras/core/error.h"
#include "tkeras/data/decode_image.h"

namespace fs = std::filesystem;

namespace tkeras::data {
namespace {

constexpr std::array<std::string_view, 5> kImageExtensions = {".jpeg", ".jpg", ".png", ".bmp", ".gif"};

void check_one_of(std::string_view option, const std::string& value, std::initializer_list<std::string_view> valid) {
  if (std::find(valid.begin(), valid.end(), value) == valid.end()) {
    // (A vector: fmt 11 and later deprecate join over an initializer_list; LibTorch's CUDA wheel
    // ships such an fmt.)
    const std::vector<std::string_view> names(valid);
    throw Error(fmt::format("image_dataset_from_directory: expected {} to be one of {}, received \"{}\"", option,
                            fmt::join(names, ", "), value));
  }
}

void check_options(const ImageDatasetOptions& options) {
  check_one_of("labels", options.labels, {"inferred", "none"});
  check_one_of("label_mode", options.label_mode, {"int", "categorical", "binary", "none"});
  check_one_of("color_mode", options.color_mode, {"rgb", "grayscale", "rgba"});
  check_one_of("interpolation", options.interpolation, {"bilinear", "nearest"});
  if (options.batch_size < 0) {
    throw Error(fmt::format("image_dataset_from_directory: expected batch_size >= 0 (0: unbatched), received {}",
                            options.batch_size));
  }
  if (options.image_size[0] <= 0 || options.image_size[1] <= 0) {
    throw Error(fmt::format("image_dataset_from_directory: expected a positive image_size, received {{{}, {}}}",
                            options.image_size[0], options.image_size[1]));
  }
  if (options.labels == "none" && !options.class_names.empty()) {
    throw Error("image_dataset_from_directory: class_names needs labels=\"inferred\"; received labels=\"none\"");
  }
  // Keras's check_validation_split_arg.
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    throw Error(fmt::format("image_dataset_from_directory: expected validation_split in (0, 1), received {}",
                            options.validation_split));
  }
  const bool split = options.validation_split > 0.0;
  if (split != !options.subset.empty()) {
    throw Error(fmt::format(
        "image_dataset_from_directory: subset and validation_split go together; received validation_split={} and "
        "subset=\"{}\"",
        options.validation_split, options.subset));
  }
  if (split) check_one_of("subset", options.subset, {"training", "validation", "both"});
  if (split && options.shuffle && !options.seed) {
    throw Error(
        "image_dataset_from_directory: with validation_split and shuffle, pass a seed, so that the training and "
        "validation subsets do not overlap (as Keras asks)");
  }
}

bool has_image_extension(const fs::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) != kImageExtensions.end();
}

// Keras's iter_valid_files: every folder under `folder` (itself included, links not followed),
// in the order of their paths, and in each its image files by name.
std::vector<std::string> image_files(const fs::path& folder) {
  std::vector<fs::path> folders = {folder};
  std::error_code error;
  for (fs::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error)) folders.push_back(it->path());
  }
  if (error) throw Error(fmt::format("image_dataset_from_directory: cannot list \"{}\": {}", folder.string(), error.message()));
  std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
  std::vector<std::string> files;
  for (const fs::path& current : folders) {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(current, error)) {
      if (!entry.is_directory(error) && has_image_extension(entry.path())) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) files.push_back((current / name).string());
  }
  return files;
}

struct Indexed {
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  std::vector<std::string> class_names;
};

Indexed index_directory(const fs::path& directory, const ImageDatasetOptions& options, uint64_t seed) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw Error(fmt::format("image_dataset_from_directory: expected a directory, received \"{}\" ({})",
                            directory.string(), fs::exists(directory, error) ? "not a directory" : "no such file"));
  }
  Indexed indexed;
  if (options.labels == "inferred") {
    std::vector<std::string> subfolders;
    for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory(error) && !name.starts_with(".")) subfolders.push_back(name);
    }
    std::sort(subfolders.begin(), subfolders.end());
    if (subfolders.empty()) {
      throw Error(fmt::format(
          "image_dataset_from_directory: expected one subfolder of images per class in \"{}\", received none "
          "(pass labels=\"none\" for a folder of unlabelled images)",
          directory.string()));
    }
    indexed.class_names = subfolders;
    if (!options.class_names.empty()) {
      for (const std::string& name : options.class_names) {
        if (std::find(subfolders.begin(), subfolders.end(), name) == subfolders.end()) {
          throw Error(fmt::format(
              "image_dataset_from_directory: class_names must name subfolders of \"{}\": expected some of {}, "
              "received \"{}\"",
              directory.string(), fmt::join(subfolders, ", "), name));
        }
      }
      indexed.class_names = options.class_names;
    }
    for (size_t label = 0; label < indexed.class_names.size(); ++label) {
      std::vector<std::string> files = image_files(directory / indexed.class_names[label]);
      if (files.empty()) {
        throw Error(fmt::format(
            "image_dataset_from_directory: class \"{}\" has no images in \"{}\" (expected files ending in {})",
            indexed.class_names[label], (directory / indexed.class_names[label]).string(),
            fmt::join(kImageExtensions, ", ")));
      }
      indexed.paths.insert(indexed.paths.end(), files.begin(), files.end());
      indexed.labels.insert(indexed.labels.end(), files.size(), static_cast<int64_t>(label));
    }
  } else {
    indexed.paths = image_files(directory);
    if (indexed.paths.empty()) {
      throw Error(fmt::format("image_dataset_from_directory: no images in \"{}\" (expected files ending in {})",
                              directory.string(), fmt::join(kImageExtensions, ", ")));
    }
  }
  if (options.verbose) {
    if (options.labels == "inferred") {
      std::cout << fmt::format("Found {} files belonging to {} classes.\n", indexed.paths.size(),
                               indexed.class_names.size());
    } else {
      std::cout << fmt::format("Found {} files.\n", indexed.paths.size());
    }
  }
  if (options.shuffle) {
    pipeline::numpy_shuffle(indexed.paths, seed);
    pipeline::numpy_shuffle(indexed.labels, seed);
  }
  return indexed;
}

// Keras's get_training_or_validation_split: the last int(split * n) files validate.
Indexed take_subset(const Indexed& all, const ImageDatasetOptions& options, const std::string& subset) {
  if (options.validation_split == 0.0) return all;
  const auto validation =
      static_cast<int64_t>(options.validation_split * static_cast<double>(all.paths.size()));
  const auto total = static_cast<int64_t>(all.paths.size());
  const int64_t begin = subset == "training" ? 0 : total - validation;
  const int64_t end = subset == "training" ? total - validation : total;
  if (validation == 0 || begin == end) {
    throw Error(fmt::format(
        "image_dataset_from_directory: validation_split={} of {} files leaves the {} subset empty; use more images or "
        "another validation_split",
        options.validation_split, total, validation == 0 ? "validation" : subset));
  }
  if (options.verbose) std::cout << fmt::format("Using {} files for {}.\n", end - begin, subset);
  Indexed part;
  part.class_names = all.class_names;
  part.paths.assign(all.paths.begin() + begin, all.paths.begin() + end);
  if (!all.labels.empty()) part.labels.assign(all.labels.begin() + begin, all.labels.begin() + end);
  return part;
}

struct Loader {
  std::shared_ptr<const std::vector<std::string>> paths;
  int channels = 3;
  std::array<int64_t, 2> size{};
  bool nearest = false;
  bool crop = false;

  // A decoded image as float32 [height, width, channels], resized as tf.image.resize (half-pixel
  // centres, no antialiasing).
  torch::Tensor operator()(int64_t index) const {
    torch::Tensor image = decode_image(fs::path((*paths)[static_cast<size_t>(index)]), channels).unsqueeze(0);
    if (crop) image = resize::crop_to_aspect(image, size[0], size[1]);
    return resize::images(image, size[0], size[1], nearest ? "nearest" : "bilinear").squeeze(0);
  }
};

torch::Tensor label_tensor(const Indexed& part, const std::string& label_mode) {
  const torch::Tensor labels =
      torch::tensor(part.labels, torch::kLong).to(torch::kInt32);
  if (label_mode == "categorical") {
    return torch::one_hot(labels.to(torch::kLong), static_cast<int64_t>(part.class_names.size())).to(torch::kFloat32);
  }
  if (label_mode == "binary") return labels.to(torch::kFloat32).unsqueeze(1);
  return labels;
}

DirectoryDataset make_dataset(const Indexed& part, const ImageDatasetOptions& options, bool shuffle, uint64_t seed) {
  const bool labelled = options.labels == "inferred" && options.label_mode != "none";
  const torch::Tensor indices = torch::arange(static_cast<int64_t>(part.paths.size()), torch::kLong);
  Dataset dataset = labelled ? Dataset::from_tensor_slices(indices, label_tensor(part, options.label_mode))
                             : Dataset::from_tensor_slices(indices);
  if (shuffle) {
    dataset = dataset.shuffle(options.batch_size > 0 ? options.batch_size * 8 : 1024, {.seed = seed});
  }
  Loader loader{std::make_shared<const std::vector<std::string>>(part.paths),
                options.color_mode == "grayscale" ? 1 : options.color_mode == "rgba" ? 4 : 3, options.image_size,
                options.interpolation == "nearest", options.crop_to_aspect_ratio};
  dataset = dataset.map([loader](Element element) { return Element{loader(element.x.item<int64_t>()), element.y}; },
                        {.num_parallel_calls = Dataset::kAutotune});
  if (options.batch_size > 0) dataset = dataset.batch(options.batch_size);
  return {dataset.prefetch(), labelled || options.labels == "inferred" ? part.class_names : std::vector<std::string>{},
          part.paths};
}

}  // namespace

DirectoryDataset::DirectoryDataset(Dataset pipeline, std::vector<std::string> class_names,
                                   std::vector<std::string> file_paths)
    : Dataset(std::move(pipeline)), class_names_(std::move(class_names)), file_paths_(std::move(file_paths)) {}

DirectoryDataset DirectoryDataset::validation() const {
  if (!validation_) {
    throw Error(
        "image_dataset_from_directory: this dataset has no validation set to unpack; pass subset=\"both\" with a "
        "validation_split to get (training, validation)");
  }
  return *validation_;
}

void DirectoryDataset::set_validation(const DirectoryDataset& validation) {
  validation_ = std::make_shared<const DirectoryDataset>(validation);
}

DirectoryDataset image_dataset_from_directory(const fs::path& directory, const ImageDatasetOptions& options) {
  check_options(options);
  // Keras draws a seed below 1e6 when none is given.
  const uint64_t seed = options.seed ? *options.seed : pipeline::draw_seed() % 1000000;
  const Indexed all = index_directory(directory, options, seed);
  if (options.label_mode == "binary" && options.labels == "inferred" && all.class_names.size() != 2) {
    throw Error(fmt::format(
        "image_dataset_from_directory: label_mode=\"binary\" needs exactly 2 classes, received {}: {}",
        all.class_names.size(), fmt::join(all.class_names, ", ")));
  }
  if (options.subset == "both") {
    DirectoryDataset training = make_dataset(take_subset(all, options, "training"), options, options.shuffle, seed);
    training.set_validation(make_dataset(take_subset(all, options, "validation"), options, false, seed));
    return training;
  }
  return make_dataset(take_subset(all, options, options.subset), options, options.shuffle, seed);
}

}  // namespace tkeras::data
