// Keras's index_directory for the directory loaders: the files of each class subfolder, shuffled
// with NumPy's RandomState as Keras does, and split into training and validation (internal).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/data/directory_dataset.h"

namespace tkeras::data::directory {

/// What a loader looks for, for its messages and its file filter.
struct Kind {
  std::string_view caller;                       ///< e.g. "image_dataset_from_directory"
  std::span<const std::string_view> extensions;  ///< lower case, with the dot
  std::string_view noun;                         ///< e.g. "images"
};

/// The options every directory loader shares, Keras's.
struct Options {
  std::string labels;
  std::string label_mode;
  std::vector<std::string> class_names;
  bool shuffle = true;
  std::optional<uint64_t> seed;
  double validation_split = 0.0;
  std::string subset;
  bool verbose = true;
};

/// The shared options of a loader's options (`ImageDatasetOptions`, `TextDatasetOptions`).
template <typename LoaderOptions>
Options shared_options(const LoaderOptions& options) {
  return {.labels = options.labels,
          .label_mode = options.label_mode,
          .class_names = options.class_names,
          .shuffle = options.shuffle,
          .seed = options.seed,
          .validation_split = options.validation_split,
          .subset = options.subset,
          .verbose = options.verbose};
}

/// The files found, their labels (empty without labels) and the class names.
struct Indexed {
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  std::vector<std::string> class_names;
};

/// Throws `tkeras::Error` unless `value` is one of `valid`, naming the caller and the option.
void check_one_of(const Kind& kind, std::string_view option, const std::string& value,
                  std::initializer_list<std::string_view> valid);

/// Checks the shared options as Keras does (labels, label_mode, class_names, validation_split
/// with subset, a seed when splitting shuffled files).
void check_options(const Kind& kind, const Options& options);

/// The seed of the file shuffle: the given one, or one drawn below 1e6 as Keras draws it.
uint64_t seed_of(const Options& options);

/// Keras's index_directory: with labels "inferred", the files of each class subfolder (at any
/// depth, in sorted order), labelled by the class's position; else the files of the whole
/// folder. Shuffled with `seed` when `options.shuffle`. Throws `tkeras::Error` for a missing
/// folder, no class subfolders, an empty class, unknown `class_names`, and "binary" without
/// exactly two classes.
Indexed index_directory(const std::filesystem::path& directory, const Kind& kind, const Options& options,
                        uint64_t seed);

/// Keras's get_training_or_validation_split: the last `int(split * n)` files validate, the rest
/// train; everything without a split. Throws `tkeras::Error` when the subset would be empty.
Indexed take_subset(const Indexed& all, const Kind& kind, const Options& options, const std::string& subset);

/// Reads one file into its element: `element` holds the file's label in `y` (if any); the
/// function fills `x` or `text`. It runs on the loader's worker threads.
using ReadFile = std::function<Element(const std::string& path, Element element)>;

/// A directory loader's whole pass, as Keras's: index `directory` (with the seed, drawn if not
/// given), take the subset (both, for "both": the validation set attached to the training set),
/// and make each a dataset of its files in order, shuffled through a buffer of 8 batches (1024
/// unbatched) for training, each read with `read` on one worker thread per core, batched by
/// `batch_size` (0: unbatched) and prefetched. `options` must have passed `check_options`.
DirectoryDataset load(const std::filesystem::path& directory, const Kind& kind, const Options& options,
                      int64_t batch_size, ReadFile read);

}  // namespace tkeras::data::directory
