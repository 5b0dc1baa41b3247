// index_directory and the options the directory loaders share, as Keras's dataset_utils.
#include "data/directory_index.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "data/pipeline.h"
#include "tkeras/core/error.h"

namespace fs = std::filesystem;

namespace tkeras::data::directory {
namespace {

bool has_extension(const fs::path& file, const Kind& kind) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kind.extensions.begin(), kind.extensions.end(), extension) != kind.extensions.end();
}

// Keras's iter_valid_files: every folder under `folder` (itself included, links not followed),
// in the order of their paths, and in each its files of the kind by name.
std::vector<std::string> files_of_kind(const fs::path& folder, const Kind& kind) {
  std::vector<fs::path> folders = {folder};
  std::error_code error;
  for (fs::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error)) folders.push_back(it->path());
  }
  if (error) throw Error(fmt::format("{}: cannot list \"{}\": {}", kind.caller, folder.string(), error.message()));
  std::sort(folders.begin(), folders.end(),
            [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
  std::vector<std::string> files;
  for (const fs::path& current : folders) {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(current, error)) {
      if (!entry.is_directory(error) && has_extension(entry.path(), kind)) {
        names.push_back(entry.path().filename().string());
      }
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) files.push_back((current / name).string());
  }
  return files;
}

}  // namespace

void check_one_of(const Kind& kind, std::string_view option, const std::string& value,
                  std::initializer_list<std::string_view> valid) {
  if (std::find(valid.begin(), valid.end(), value) == valid.end()) {
    // (A vector: fmt 11 and later deprecate join over an initializer_list; LibTorch's CUDA wheel
    // ships such an fmt.)
    const std::vector<std::string_view> names(valid);
    throw Error(fmt::format("{}: expected {} to be one of {}, received \"{}\"", kind.caller, option,
                            fmt::join(names, ", "), value));
  }
}

void check_options(const Kind& kind, const Options& options) {
  check_one_of(kind, "labels", options.labels, {"inferred", "none"});
  check_one_of(kind, "label_mode", options.label_mode, {"int", "categorical", "binary", "none"});
  if (options.labels == "none" && !options.class_names.empty()) {
    throw Error(fmt::format("{}: class_names needs labels=\"inferred\"; received labels=\"none\"", kind.caller));
  }
  // Keras's check_validation_split_arg.
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    throw Error(
        fmt::format("{}: expected validation_split in (0, 1), received {}", kind.caller, options.validation_split));
  }
  const bool split = options.validation_split > 0.0;
  if (split != !options.subset.empty()) {
    throw Error(
        fmt::format("{}: subset and validation_split go together; received validation_split={} and subset=\"{}\"",
                    kind.caller, options.validation_split, options.subset));
  }
  if (split) check_one_of(kind, "subset", options.subset, {"training", "validation", "both"});
  if (split && options.shuffle && !options.seed) {
    throw Error(fmt::format(
        "{}: with validation_split and shuffle, pass a seed, so that the training and validation subsets do not "
        "overlap (as Keras asks)",
        kind.caller));
  }
}

uint64_t seed_of(const Options& options) {
  // Keras draws a seed below 1e6 when none is given.
  return options.seed ? *options.seed : pipeline::draw_seed() % 1000000;
}

Indexed index_directory(const fs::path& directory, const Kind& kind, const Options& options, uint64_t seed) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw Error(fmt::format("{}: expected a directory, received \"{}\" ({})", kind.caller, directory.string(),
                            fs::exists(directory, error) ? "not a directory" : "no such file"));
  }
  const std::vector<std::string_view> extensions(kind.extensions.begin(), kind.extensions.end());
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
          "{}: expected one subfolder of {} per class in \"{}\", received none (pass labels=\"none\" for a folder of "
          "unlabelled {})",
          kind.caller, kind.noun, directory.string(), kind.noun));
    }
    indexed.class_names = subfolders;
    if (!options.class_names.empty()) {
      for (const std::string& name : options.class_names) {
        if (std::find(subfolders.begin(), subfolders.end(), name) == subfolders.end()) {
          throw Error(
              fmt::format("{}: class_names must name subfolders of \"{}\": expected some of {}, received \"{}\"",
                          kind.caller, directory.string(), fmt::join(subfolders, ", "), name));
        }
      }
      indexed.class_names = options.class_names;
    }
    for (size_t label = 0; label < indexed.class_names.size(); ++label) {
      std::vector<std::string> files = files_of_kind(directory / indexed.class_names[label], kind);
      if (files.empty()) {
        throw Error(fmt::format("{}: class \"{}\" has no {} in \"{}\" (expected files ending in {})", kind.caller,
                                indexed.class_names[label], kind.noun,
                                (directory / indexed.class_names[label]).string(), fmt::join(extensions, ", ")));
      }
      indexed.paths.insert(indexed.paths.end(), files.begin(), files.end());
      indexed.labels.insert(indexed.labels.end(), files.size(), static_cast<int64_t>(label));
    }
  } else {
    indexed.paths = files_of_kind(directory, kind);
    if (indexed.paths.empty()) {
      throw Error(fmt::format("{}: no {} in \"{}\" (expected files ending in {})", kind.caller, kind.noun,
                              directory.string(), fmt::join(extensions, ", ")));
    }
  }
  if (options.label_mode == "binary" && options.labels == "inferred" && indexed.class_names.size() != 2) {
    throw Error(fmt::format("{}: label_mode=\"binary\" needs exactly 2 classes, received {}: {}", kind.caller,
                            indexed.class_names.size(), fmt::join(indexed.class_names, ", ")));
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

Indexed take_subset(const Indexed& all, const Kind& kind, const Options& options, const std::string& subset) {
  if (options.validation_split == 0.0) return all;
  const auto validation = static_cast<int64_t>(options.validation_split * static_cast<double>(all.paths.size()));
  const auto total = static_cast<int64_t>(all.paths.size());
  const int64_t begin = subset == "training" ? 0 : total - validation;
  const int64_t end = subset == "training" ? total - validation : total;
  if (validation == 0 || begin == end) {
    throw Error(fmt::format(
        "{}: validation_split={} of {} files leaves the {} subset empty; use more {} or another validation_split",
        kind.caller, options.validation_split, total, validation == 0 ? "validation" : subset, kind.noun));
  }
  if (options.verbose) std::cout << fmt::format("Using {} files for {}.\n", end - begin, subset);
  Indexed part;
  part.class_names = all.class_names;
  part.paths.assign(all.paths.begin() + begin, all.paths.begin() + end);
  if (!all.labels.empty()) part.labels.assign(all.labels.begin() + begin, all.labels.begin() + end);
  return part;
}

namespace {

// Keras's labels: int32 indices, float32 one-hot rows or float32 [N, 1].
torch::Tensor label_tensor(const Indexed& part, const std::string& label_mode) {
  torch::Tensor labels = torch::tensor(part.labels, torch::kLong).to(torch::kInt32);
  if (label_mode == "categorical") {
    return torch::one_hot(labels.to(torch::kLong), static_cast<int64_t>(part.class_names.size())).to(torch::kFloat32);
  }
  if (label_mode == "binary") return labels.to(torch::kFloat32).unsqueeze(1);
  return labels;
}

DirectoryDataset make_dataset(const Indexed& part, const Options& options, int64_t batch_size, bool shuffle,
                              uint64_t seed, const ReadFile& read) {
  const bool labelled = options.labels == "inferred" && options.label_mode != "none";
  const torch::Tensor indices = torch::arange(static_cast<int64_t>(part.paths.size()), torch::kLong);
  Dataset dataset = labelled ? Dataset::from_tensor_slices(indices, label_tensor(part, options.label_mode))
                             : Dataset::from_tensor_slices(indices);
  if (shuffle) dataset = dataset.shuffle(batch_size > 0 ? batch_size * 8 : 1024, {.seed = seed});
  auto paths = std::make_shared<const std::vector<std::string>>(part.paths);
  dataset = dataset.map(
      [paths, read](Element element) {
        const std::string& path = (*paths)[static_cast<size_t>(element.x.item<int64_t>())];
        element.x = torch::Tensor();
        return read(path, std::move(element));
      },
      {.num_parallel_calls = Dataset::kAutotune});
  if (batch_size > 0) dataset = dataset.batch(batch_size);
  return {dataset.prefetch(), options.labels == "inferred" ? part.class_names : std::vector<std::string>{}, part.paths};
}

}  // namespace

DirectoryDataset load(const fs::path& directory, const Kind& kind, const Options& options, int64_t batch_size,
                      ReadFile read) {
  const uint64_t seed = seed_of(options);
  const Indexed all = index_directory(directory, kind, options, seed);
  if (options.subset == "both") {
    DirectoryDataset training =
        make_dataset(take_subset(all, kind, options, "training"), options, batch_size, options.shuffle, seed, read);
    training.set_validation(
        make_dataset(take_subset(all, kind, options, "validation"), options, batch_size, false, seed, read));
    return training;
  }
  return make_dataset(take_subset(all, kind, options, options.subset), options, batch_size, options.shuffle, seed,
                      read);
}

}  // namespace tkeras::data::directory
