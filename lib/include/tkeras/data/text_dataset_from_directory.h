// text_dataset_from_directory: a folder of class subfolders of .txt files as a dataset, as Keras's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/data/directory_dataset.h"

namespace tkeras::data {

/// The arguments of `text_dataset_from_directory`, Keras's, with Keras's defaults. Members are in
/// Keras's order.
struct TextDatasetOptions {
  /// `"inferred"`: the label of a file is the index of its subfolder among `class_names`;
  /// `"none"`: no labels (text only). Default: `"inferred"`.
  std::string labels = "inferred";
  /// `"int"` (int32 class indices), `"categorical"` (float32 one-hot vectors), `"binary"`
  /// (float32 0 or 1 of shape `[1]`, for exactly two classes) or `"none"`. Default: `"int"`.
  std::string label_mode = "int";
  /// The subfolders to use, in the order that gives their labels. Default: all of them, sorted.
  std::vector<std::string> class_names;
  /// Texts per batch; 0 gives single texts, unbatched (Keras's `batch_size=None`). Default: 32.
  int64_t batch_size = 32;
  /// Keep at most this many bytes of each file, as Keras's `tf.strings.substr`. Default: none,
  /// the whole file.
  std::optional<int64_t> max_length;
  /// Shuffle the files once (with `seed`, as Keras, so that a split holds the same files on
  /// every call), then at each pass through a buffer of 8 batches. Without it the files come in
  /// sorted order. Default: true.
  bool shuffle = true;
  /// The seed of both shuffles. Default: none, one is drawn.
  std::optional<uint64_t> seed;
  /// Fraction of the files to hold out for validation, in (0, 1); needs `subset`. Default: 0.
  double validation_split = 0.0;
  /// `"training"`, `"validation"` or `"both"` (returns both: `auto [train, val] = ...`);
  /// needs `validation_split`. Default: none.
  std::string subset;
  /// Print how many files and classes were found, and how many are used. Default: true.
  bool verbose = true;
};

/// A dataset of the .txt files in `directory`'s subfolders, one class per subfolder, as Keras's
/// `text_dataset_from_directory`: each batch's texts are in `Element::text` (one string per
/// file, its bytes as they are), its labels in `y`. `x` stays undefined: turn the text into a
/// tensor with `map` before `fit`.
///
/// Files are found and split exactly as `image_dataset_from_directory` finds images (Keras's
/// index_directory: any depth, sorted, shuffled with NumPy's RandomState(seed)), keeping files
/// ending in .txt (any case). They are read on worker threads ahead of the consumer.
///
/// Throws `tkeras::Error` at once for a missing directory, no class subfolders, a class folder
/// without .txt files, `class_names` that are not subfolders, a `"binary"` label_mode without
/// exactly two classes, and invalid options; while reading, for a file that cannot be read,
/// naming it.
///
/// Example:
/// ```
/// auto [train, val] = tkeras::data::text_dataset_from_directory(
///     "aclImdb/train", {.seed = 42, .validation_split = 0.2, .subset = "both"});
/// for (const tkeras::data::Element& batch : train.take(1)) std::cout << batch.text[0] << "\n";
/// ```
DirectoryDataset text_dataset_from_directory(const std::filesystem::path& directory,
                                             const TextDatasetOptions& options = {});

}  // namespace tkeras::data
